#!/usr/bin/env bash
# Runs the whole system on this machine behind one gateway port, in the foreground (Ctrl-C stops everything):
#   - builds the services (SKIP_BUILD=1 to start what is already built),
#   - starts Redis with an append-only file and a MongoDB-compatible server with a file-backed store, both under
#     deploy/.local/data (a restart keeps every conversation and message), unless REDIS_URL / MONGODB_URI name yours,
#   - writes a dev RS256 key pair to deploy/.local/keys (deploy/token.sh USER prints a token), and the services'
#     own key pair (they sign their calls to each other's /internal/ endpoints) to deploy/.local/service-keys,
#   - starts the three services and an nginx gateway on http://localhost:8080 (GATEWAY_PORT) that routes the public
#     prefixes only (deploy/gateway/routes.conf).
# Needs bash (any version from 3.2), Java 17 and nginx on the PATH (Debian/Ubuntu:
# sudo apt-get install -y --no-install-recommends nginx-light; macOS: brew install nginx).
# Logs: deploy/.local/logs/ (the gateway's access log is JSON). LOCAL_STATE moves deploy/.local elsewhere.
# Nothing here is for production: see k8s/ and deploy/docker-compose.yml.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
state=${LOCAL_STATE:-$root/deploy/.local}
mkdir -p "$state/logs" "$state/data" "$state/gateway/tmp"

gateway_port=${GATEWAY_PORT:-8080}
conversation_port=${CONVERSATION_PORT:-8081}
presence_port=${PRESENCE_PORT:-8082}
message_port=${MESSAGE_PORT:-8083}

nginx_bin=$(command -v nginx || true)
[[ -z "$nginx_bin" && -x /usr/sbin/nginx ]] && nginx_bin=/usr/sbin/nginx
if [[ -z "$nginx_bin" ]]; then
  echo "nginx is needed for the gateway: sudo apt-get install -y --no-install-recommends nginx-light (or: brew install nginx)" >&2
  exit 1
fi

testkit=(java -jar "$root/testkit/target/testkit-1.0.0-SNAPSHOT.jar")
if [[ -z "${SKIP_BUILD:-}" ]]; then
  echo "building (about a minute the first time)..."
  ./mvnw -B -q install -DskipTests
fi
"${testkit[@]}" keys "$state/keys" >/dev/null
"${testkit[@]}" service-keys "$state/service-keys" >/dev/null

pids=()
stop_all() {
  trap - EXIT INT TERM
  # whoever read our output may be gone (a closed terminal, a test that closed the pipe): a failed echo must not
  # end the script (SIGPIPE) before it has stopped what it started
  trap '' PIPE
  { echo; echo "stopping..."; } 2>/dev/null || true
  # the gateway and the services first (they drain), the stores last
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped" 2>/dev/null || true
}
# Ctrl-C or a TERM ends the script (130 / 143), and its exit stops everything: a trap that only stopped the
# processes returned into the watch loop below, which then reported them as having died.
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_for_port() { # host port what [pid]
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    if [[ -n "${4:-}" ]] && ! kill -0 "$4" 2>/dev/null; then
      echo "$3 exited; see $state/logs/" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "$3 did not start on $1:$2; see $state/logs/" >&2
  exit 1
}

# Our own Redis, with one ACL user per service (deploy/redis/service-acl.conf: only its keys, channels and commands)
# and fresh passwords each start; the default user stays open for redis-cli and the tests' own checks.
redis_acl_port=""
if [[ -z "${REDIS_URL:-}" ]]; then
  port=${LOCAL_REDIS_PORT:-6390}
  mkdir -p "$state/redis-users"
  common=$(awk '$1 == "*" { $1 = ""; print }' "$root/deploy/redis/service-acl.conf")
  {
    echo "user default on nopass ~* &* +@all"
    grep -v '^#' "$root/deploy/redis/service-acl.conf" | awk 'NF && $1 != "*"' | while read -r user rules; do
      password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
      printf '%s' "$password" >"$state/redis-users/$user"
      echo "user $user on >$password $common $rules"   # the categories first: a later -@all would undo +config|get
    done
  } >"$state/redis-users/users.acl"
  "${testkit[@]}" redis "$port" "$state/data/redis" "$state/redis-users/users.acl" >"$state/logs/redis.log" 2>&1 &
  pids+=($!)
  wait_for_port 127.0.0.1 "$port" redis "$!"
  REDIS_URL=redis://127.0.0.1:$port
  redis_acl_port=$port
fi
if [[ -z "${MONGODB_URI:-}" ]]; then
  port=${LOCAL_MONGO_PORT:-27027}
  "${testkit[@]}" mongo-file "$port" "$state/data/mongo.mv" >"$state/logs/mongo.log" 2>&1 &
  pids+=($!)
  wait_for_port 127.0.0.1 "$port" mongodb "$!"
  MONGODB_URI=mongodb://127.0.0.1:$port
fi

export QUARKUS_REDIS_HOSTS=$REDIS_URL
export QUARKUS_MONGODB_CONNECTION_STRING=$MONGODB_URI
export MP_JWT_VERIFY_PUBLICKEY_LOCATION=$state/keys/publicKey.pem
# one key pair per service (SERVICE/privateKey.pem, SERVICE/publicKey.pem): each signs with its own
export CHAT_SERVICE_IDENTITY_KEYS_DIR=$state/service-keys
export QUARKUS_REST_CLIENT_CONVERSATION_SERVICE_URL=http://localhost:$conversation_port
export QUARKUS_REST_CLIENT_MESSAGE_SERVICE_URL=http://localhost:$message_port
# a Ctrl-C is a local stop, not a rolling update: no readiness delay
export QUARKUS_SHUTDOWN_DELAY_ENABLED=false

# the services that call each one: it holds their public keys (as in k8s/base)
callers_of() {
  case $1 in
    conversation-service) echo message-service presence-service ;;
    message-service) echo conversation-service ;;
  esac
}
# RUN_IMAGES=1: each service runs from its image (deploy/docker/build-images.sh; chat/<service>:${IMAGE_TAG:-local})
# under the restrictions of the Kubernetes manifests: read-only root file system, uid 185, every capability dropped,
# no privilege escalation, a tmpfs /tmp; host network, so ports and gateway stay the same. CONTAINER_ENGINE: podman
# (default) or docker. The keys a service holds are copied for it, readable by the container's user.
run_image() { # name port
  local keys=$state/image-keys/$1 mounts=()
  mkdir -p "$keys"
  cp "$state/keys/publicKey.pem" "$keys/jwt-publicKey.pem"
  cp "$state/service-keys/$1/privateKey.pem" "$keys/privateKey.pem"
  mounts+=(-v "$keys/jwt-publicKey.pem:/keys/publicKey.pem:ro" -v "$keys/privateKey.pem:/service-keys/$1/privateKey.pem:ro")
  for caller in $(callers_of "$1"); do
    cp "$state/service-keys/$caller/publicKey.pem" "$keys/$caller-publicKey.pem"
    mounts+=(-v "$keys/$caller-publicKey.pem:/service-keys/$caller/publicKey.pem:ro")
  done
  chmod 0444 "$keys"/*.pem
  # exec: the stop signal reaches the engine, which passes it to the service (a graceful shutdown)
  exec "${CONTAINER_ENGINE:-podman}" run --rm --name "chat-$1-$2" --network=host \
    --read-only --tmpfs /tmp --user 185 --cap-drop ALL --security-opt no-new-privileges "${mounts[@]}" \
    -e QUARKUS_REDIS_HOSTS -e QUARKUS_MONGODB_CONNECTION_STRING -e QUARKUS_SHUTDOWN_DELAY_ENABLED \
    -e PRESENCE_ALLOWED_ORIGINS \
    -e QUARKUS_REST_CLIENT_CONVERSATION_SERVICE_URL -e QUARKUS_REST_CLIENT_MESSAGE_SERVICE_URL \
    -e MP_JWT_VERIFY_PUBLICKEY_LOCATION=/keys/publicKey.pem -e CHAT_SERVICE_IDENTITY_KEYS_DIR=/service-keys \
    -e JAVA_OPTS_APPEND="${JAVA_OPTS:-} -Dquarkus.http.port=$2" "chat/$1:${IMAGE_TAG:-local}"
}
service_pids=()
start_service() { # name port (the port on the command line, so an operator or a test can find the process by it)
  (
    if [[ -n $redis_acl_port ]]; then # the service's own Redis user (user and password in the URL: both are sent)
      QUARKUS_REDIS_HOSTS="redis://$1:$(cat "$state/redis-users/$1")@127.0.0.1:$redis_acl_port"
      export QUARKUS_REDIS_HOSTS
    fi
    if [[ -n ${RUN_IMAGES:-} ]]; then
      run_image "$1" "$2"
    else
      exec java ${JAVA_OPTS:-} -Dquarkus.http.port=$2 -jar "$1/target/quarkus-app/quarkus-run.jar"
    fi
  ) >"$state/logs/$1-$2.log" 2>&1 &
  pids+=($!)
  service_pids+=($!)
}
# a second replica of every service when CONVERSATION_PORT_2, PRESENCE_PORT_2 and MESSAGE_PORT_2 are set: the
# gateway balances over both (what several replicas behind a load balancer do)
names=(conversation-service presence-service message-service)
ports=("$conversation_port" "$presence_port" "$message_port")
if [[ -n ${CONVERSATION_PORT_2:-} && -n ${PRESENCE_PORT_2:-} && -n ${MESSAGE_PORT_2:-} ]]; then
  names+=(conversation-service presence-service message-service)
  ports+=("$CONVERSATION_PORT_2" "$PRESENCE_PORT_2" "$MESSAGE_PORT_2")
fi
for i in "${!names[@]}"; do start_service "${names[$i]}" "${ports[$i]}"; done
for i in "${!names[@]}"; do wait_for_port 127.0.0.1 "${ports[$i]}" "${names[$i]}" "${service_pids[$i]}"; done
second() { if [[ -n ${1:-} ]]; then printf ' server 127.0.0.1:%s max_fails=1 fail_timeout=5s;' "$1"; fi; }

# Development only: the web client (web/) and tokens for any user id, on 127.0.0.1, through the gateway at / and
# /dev/token. Served by a process of this user, not by nginx, whose workers cannot read a private clone when run as root.
web_port=${WEB_SERVER_PORT:-8089}
"${testkit[@]}" web-server "$web_port" "$state/keys" "$root/web" >"$state/logs/web-server.log" 2>&1 &
pids+=($!)
wait_for_port 127.0.0.1 "$web_port" web-server "$!"

# the gateway: the repository's routes, this run's upstreams and paths
ln -sfn "$root/deploy/gateway" "$state/gateway/chat"
cat >"$state/gateway/nginx.conf" <<NGINX
worker_processes 1;
pid nginx.pid;
events { worker_connections 1024; }
http {
  include chat/http.conf;
  access_log $state/logs/gateway-access.log chat_json;
  client_body_temp_path tmp/body;
  proxy_temp_path tmp/proxy;
  fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi;
  scgi_temp_path tmp/scgi;
  upstream conversation { server 127.0.0.1:$conversation_port max_fails=1 fail_timeout=5s;$(second "${CONVERSATION_PORT_2:-}") keepalive 16; }
  upstream presence     { server 127.0.0.1:$presence_port max_fails=1 fail_timeout=5s;$(second "${PRESENCE_PORT_2:-}") keepalive 16; }
  upstream message      { server 127.0.0.1:$message_port max_fails=1 fail_timeout=5s;$(second "${MESSAGE_PORT_2:-}") keepalive 16; }
  server {
    listen 127.0.0.1:$gateway_port;
    include chat/routes.conf;
    # the local run only: the web client and its dev tokens (never in deploy/gateway/, images or manifests)
    location = / { proxy_pass http://127.0.0.1:$web_port; }
    location ^~ /web/ { proxy_pass http://127.0.0.1:$web_port; }
    location = /dev/token { proxy_pass http://127.0.0.1:$web_port; }
  }
}
NGINX
"$nginx_bin" -p "$state/gateway" -c "$state/gateway/nginx.conf" -e "$state/logs/gateway-error.log" -g 'daemon off;' \
  >"$state/logs/gateway.log" 2>&1 &
pids+=($!)
wait_for_port 127.0.0.1 "$gateway_port" gateway "$!"

cat <<INFO

chat speed layer is running on http://localhost:$gateway_port (Ctrl-C stops it)
  web client      http://localhost:$gateway_port/   (open it twice, sign in as two users)
  conversations   http://localhost:$gateway_port/api/v1/conversations
  presence        http://localhost:$gateway_port/api/v1/presence   (socket: ws://localhost:$gateway_port/api/v1/presence/ws)
  messages        http://localhost:$gateway_port/api/v1/messages, /api/v1/unread
  a token         deploy/token.sh <userId>
  data            $state/data/   (Redis AOF, MongoDB file: kept across restarts)
  logs            $state/logs/
  redis           $REDIS_URL
  mongodb         $MONGODB_URI
INFO
# until Ctrl-C, or until one of the processes dies; with two replicas of every service a dead replica is reported
# and the rest carries on (the gateway sends to the live one), as behind any load balancer
# From here on only this watch runs; a reader of our output that went away (a closed terminal, a test that closed
# the pipe) must not end the script with SIGPIPE — on a report or on bash's own "Killed" notice — before a stop.
trap '' PIPE
replicated=$(( ${#service_pids[@]} > 3 ))
reported=" "
while true; do
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      if (( replicated )) && [[ " ${service_pids[*]} " == *" $pid "* ]]; then
        [[ $reported == *" $pid "* ]] || echo "a service replica (pid $pid) exited; the other replica serves; see $state/logs/" >&2
        reported="$reported$pid "
        continue
      fi
      echo "a process exited; see $state/logs/" >&2
      exit 1
    fi
  done
  sleep 1
done

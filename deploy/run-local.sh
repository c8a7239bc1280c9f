#!/usr/bin/env bash
# Runs the whole system on this machine, in the foreground (Ctrl-C stops everything):
#   - builds the services (SKIP_BUILD=1 to start what is already built),
#   - starts a Redis and a MongoDB-compatible server of its own unless REDIS_URL / MONGODB_URI name yours,
#   - writes a dev RS256 key pair to deploy/.local/keys (deploy/token.sh USER prints a token), and the services'
#     own key pair (they sign their calls to each other's /internal/ endpoints) to deploy/.local/service-keys,
#   - starts conversation-service :8081, presence-service :8082, message-service :8083.
# Logs: deploy/.local/logs/. Nothing here is for production: see k8s/ and deploy/docker-compose.yml.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
state=$root/deploy/.local
mkdir -p "$state/logs"

testkit=(java -jar "$root/testkit/target/testkit-1.0.0-SNAPSHOT.jar")
if [[ -z "${SKIP_BUILD:-}" ]]; then
  echo "building (about a minute the first time)..."
  ./mvnw -B -q install -DskipTests
fi
"${testkit[@]}" keys "$state/keys" >/dev/null
"${testkit[@]}" keys "$state/service-keys" >/dev/null

pids=()
stop_all() {
  trap - EXIT INT TERM
  echo; echo "stopping..."
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop_all EXIT INT TERM

wait_for_port() { # host port what
  for _ in $(seq 1 150); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    sleep 0.2
  done
  echo "$3 did not start on $1:$2; see $state/logs/" >&2
  exit 1
}

if [[ -z "${REDIS_URL:-}" ]]; then
  port=${LOCAL_REDIS_PORT:-6390}
  "${testkit[@]}" redis "$port" >"$state/logs/redis.log" 2>&1 &
  pids+=($!)
  wait_for_port 127.0.0.1 "$port" redis
  REDIS_URL=redis://127.0.0.1:$port
fi
if [[ -z "${MONGODB_URI:-}" ]]; then
  port=${LOCAL_MONGO_PORT:-27027}
  "${testkit[@]}" mongo "$port" >"$state/logs/mongo.log" 2>&1 &
  pids+=($!)
  wait_for_port 127.0.0.1 "$port" mongodb
  MONGODB_URI=mongodb://127.0.0.1:$port
fi

export QUARKUS_REDIS_HOSTS=$REDIS_URL
export QUARKUS_MONGODB_CONNECTION_STRING=$MONGODB_URI
export MP_JWT_VERIFY_PUBLICKEY_LOCATION=$state/keys/publicKey.pem
export SMALLRYE_JWT_SIGN_KEY_LOCATION=$state/service-keys/privateKey.pem
export CHAT_SERVICE_IDENTITY_PUBLIC_KEY_LOCATION=$state/service-keys/publicKey.pem

declare -A ports=([conversation-service]=8081 [presence-service]=8082 [message-service]=8083)
for svc in conversation-service presence-service message-service; do
  java ${JAVA_OPTS:-} -jar "$svc/target/quarkus-app/quarkus-run.jar" >"$state/logs/$svc.log" 2>&1 &
  pids+=($!)
done
for svc in conversation-service presence-service message-service; do
  wait_for_port 127.0.0.1 "${ports[$svc]}" "$svc"
done

cat <<INFO

chat speed layer is running (Ctrl-C stops it)
  conversation-service  http://localhost:8081/api/v1/conversations
  presence-service      http://localhost:8082/api/v1/presence
  message-service       http://localhost:8083/api/v1/messages
  redis                 $REDIS_URL
  mongodb               $MONGODB_URI
  tokens                deploy/token.sh <userId>
  logs                  $state/logs/
INFO
wait -n "${pids[@]}"
echo "a process exited; see $state/logs/" >&2

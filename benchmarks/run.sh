#!/usr/bin/env bash
# The benchmark: one command, about 35 minutes, loopback only, nothing downloaded while it runs.
#   benchmarks/run.sh
# Starts its own Redis (redis-server, AOF every second like production), a MongoDB-compatible stand-in whose every
# write is answered MONGO_COMMIT_LATENCY_MS later (default 2: what a journaled majority commit costs), and the three
# services (JVM mode, each with its bare endpoint on); warms every path up; runs every scenario against its ceilings
# measured in the same run; restarts message-service with one insert per message (the batching comparison) and
# presence-service fresh (the sockets' memory); then writes benchmarks/results/<date>.json (every figure, with the
# machine, versions and git commit), <date>.md (targets met or missed, tables) and <date>/*.png (one plot per
# scenario); then a soak of SOAK_MINUTES (default 10) of mixed traffic with socket churn. Knobs: SKIP_BUILD=1, PRESENCE_SOCKETS (default 19000: 20,000 needs more than this machine's hard limit
# of 20,000 open files per process), RESULTS_NAME, KEEP=1 (keep the work dir with every log),
# PROFILE_DIR=DIR (a JFR recording per service process, e.g. for `jfr view hot-methods`).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

missing=()
command -v gnuplot >/dev/null 2>&1 || missing+=(gnuplot-nox)
command -v redis-benchmark >/dev/null 2>&1 && redis-server --version 2>/dev/null | grep -q "v=[7-9]" || missing+=(redis-server)
if (( ${#missing[@]} )); then
  echo "installing ${missing[*]} (the plots; Redis 7 with redis-benchmark)"
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get install -y --no-install-recommends "${missing[@]}" \
    || { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends "${missing[@]}"; }
fi
[[ -n "${SKIP_BUILD:-}" ]] || ./mvnw -B -q install -DskipTests

work=$(mktemp -d)
# SIGTERM first; whatever has not ended 10 s later (a JVM out of memory ignores it) is killed
trap 'status=$?; kill $(jobs -p) 2>/dev/null; sleep 1; for _ in $(seq 1 10); do [[ -z $(jobs -pr) ]] && break; sleep 1; done
      [[ -z $(jobs -pr) ]] || kill -9 $(jobs -pr) 2>/dev/null; wait 2>/dev/null; [[ -n "${KEEP:-}" ]] || rm -rf "$work"; exit $status' EXIT
echo "work dir: $work"
free_port() { # the first port from $1 nobody listens on
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}
testkit=(java -XX:+UseParallelGC -jar testkit/target/testkit-1.0.0-SNAPSHOT.jar)
"${testkit[@]}" keys "$work/keys" >/dev/null
"${testkit[@]}" service-keys "$work/service-keys" >/dev/null

redis_port=$(free_port 16390)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly yes --appendfsync everysec --dir "$work" \
  --maxmemory 1gb >"$work/redis.log" 2>&1 &
redis_pid=$!
mongo_port=$(free_port 27030)
"${testkit[@]}" mongo "$mongo_port" "${MONGO_COMMIT_LATENCY_MS:-2}" >"$work/mongo.log" 2>&1 &
mongo_pid=$!
for _ in $(seq 1 100); do grep -q listening "$work/mongo.log" && redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.2; done
grep -q listening "$work/mongo.log" || { echo "MongoDB stand-in did not start:"; cat "$work/mongo.log"; exit 1; }

conversation_port=$(free_port 18081); presence_port=$(free_port $((conversation_port + 1))); message_port=$(free_port $((presence_port + 1)))
# Every JVM here uses the throughput collector: on two shared cores its short young pauses beat G1's.
export QUARKUS_REDIS_HOSTS=redis://127.0.0.1:$redis_port
export QUARKUS_MONGODB_CONNECTION_STRING=mongodb://127.0.0.1:$mongo_port
export MP_JWT_VERIFY_PUBLICKEY_LOCATION=$work/keys/publicKey.pem
export CHAT_SERVICE_IDENTITY_KEYS_DIR=$work/service-keys
export QUARKUS_REST_CLIENT_CONVERSATION_SERVICE_URL=http://localhost:$conversation_port
export QUARKUS_REST_CLIENT_MESSAGE_SERVICE_URL=http://localhost:$message_port
export QUARKUS_SHUTDOWN_DELAY_ENABLED=false QUARKUS_LOG_LEVEL=WARN CHAT_BARE_ENDPOINT_ENABLED=true
# finer request-timer buckets than production's, so the service's own p50/p99 can be read off them
export CHAT_METRICS_REQUEST_BUCKETS=PT0.00025S,PT0.0005S,1ms,2ms,3ms,5ms,10ms,25ms,50ms,100ms,250ms,1s
# 50 senders send far more than the default 10 messages per 10 s each; the set-up creates many conversations per
# user and the load reads far beyond the per-user limits: every limit keeps its code on the path, with a raised value
export MESSAGES_RATE_LIMIT=100000000 MESSAGES_READ_MARK_LIMIT=100000000 MESSAGES_STORE_READ_LIMIT=100000000
export CONVERSATION_LIMITS_CREATES=100000000 CONVERSATION_LIMITS_PENDING_REQUESTS=100000000
export CONVERSATION_LIMITS_STATE_CHANGES=100000000 CONVERSATION_LIMITS_STORE_READS=100000000
export PRESENCE_QUERIES_PER_MINUTE=100000000 PRESENCE_UPGRADES_PER_MINUTE=100000000
service_jvm=(-Xmx512m -XX:+UseParallelGC)
# presence-service: the serial collector and small stacks of a socket-holding pod; 640 MiB of heap because every
# socket holds about 17 KiB of live heap today (results: where it goes), so 19,000 sockets do not fit in 320 MiB
presence_jvm=(-Xmx640m -XX:+UseSerialGC -Xss512k -XX:ReservedCodeCacheSize=64m -XX:MaxDirectMemorySize=64m)

declare -A pid
declare -A baseline_ms
cds() { # the service's AppCDS archive (quarkus.package.jar.appcds.enabled), made at build time by this same JVM; it
  # records the class path as the build ran it (quarkus-run.jar, relative), so the service starts in its quarkus-app
  [[ -f "$1/target/quarkus-app/app-cds.jsa" ]] && echo "-XX:SharedArchiveFile=app-cds.jsa"
}
start() { # name port jvm-options...: starts, waits until ready, records start-to-ready and idle RSS
  local name=$1 port=$2; shift 2
  local t0; t0=$(date +%s%N)
  (cd "$name/target/quarkus-app" && exec java $(cds "$root/$name") "$@" \
    ${PROFILE_DIR:+-XX:StartFlightRecording=filename=$PROFILE_DIR/$name-$(date +%s).jfr,settings=profile} \
    -Dquarkus.http.port="$port" -jar quarkus-run.jar) >>"$work/$name.log" 2>&1 &
  pid[$name]=$!
  for _ in $(seq 1 300); do curl -sf -o /dev/null "localhost:$port/q/health/ready" && break; sleep 0.05; done
  curl -sf -o /dev/null "localhost:$port/q/health/ready" || { echo "$name did not start:"; tail -20 "$work/$name.log"; exit 1; }
  local ready_ms=$((($(date +%s%N) - t0) / 1000000))
  sleep 2
  local rss; rss=$(awk '/VmRSS/{print $2}' "/proc/${pid[$name]}/status")
  echo "$name ready in $ready_ms ms, RSS $((rss / 1024)) MiB idle"
  printf '"%s": {"startToReadyMs": %d, "rssIdleKiB": %d, "jvm": "%s"}\n' "$name" "$ready_ms" "$rss" "$*" >"$work/service-$name.json"
}
stop() { # SIGTERM, and SIGKILL if it has not ended 15 s later
  kill "${pid[$1]}"
  for _ in $(seq 1 30); do kill -0 "${pid[$1]}" 2>/dev/null || break; sleep 0.5; done
  kill -9 "${pid[$1]}" 2>/dev/null || true
  wait "${pid[$1]}" 2>/dev/null || true
}

without_cds() { # name port jvm-options...: start to ready without the AppCDS archive, then stopped
  local name=$1 port=$2; shift 2
  local t0; t0=$(date +%s%N)
  (cd "$name/target/quarkus-app" && exec java "$@" -Dquarkus.http.port="$port" -jar quarkus-run.jar) >>"$work/$name.log" 2>&1 &
  local p=$!
  for _ in $(seq 1 300); do curl -sf -o /dev/null "localhost:$port/q/health/ready" && break; sleep 0.05; done
  baseline_ms[$name]=$((($(date +%s%N) - t0) / 1000000))
  kill "$p"; wait "$p" 2>/dev/null || true
  echo "$name ready in ${baseline_ms[$name]} ms without its AppCDS archive"
}
# the archive's gain measured, not assumed: the same services started once without it, same machine, same minute
without_cds conversation-service "$conversation_port" "${service_jvm[@]}"
without_cds presence-service "$presence_port" "${presence_jvm[@]}"
without_cds message-service "$message_port" "${service_jvm[@]}"

start conversation-service "$conversation_port" "${service_jvm[@]}"
start presence-service "$presence_port" "${presence_jvm[@]}"
start message-service "$message_port" "${service_jvm[@]}"
(echo "{"; cat "$work"/service-*.json | paste -sd,; printf ', "baselineStartToReadyMs": {"conversation-service": %d, "presence-service": %d, "message-service": %d}\n' \
  "${baseline_ms[conversation-service]}" "${baseline_ms[presence-service]}" "${baseline_ms[message-service]}"; echo "}") >"$work/services.json"

redis_version=$(redis-cli -p "$redis_port" info server | sed -n 's/^redis_version:\(.*\)\r$/\1/p')
cat >"$work/machine.json" <<JSON
{"date": "$(date -u +%FT%TZ)", "cores": $(nproc), "memoryMiB": $(($(awk '/MemTotal/{print $2}' /proc/meminfo) / 1024)),
 "cpu": "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)", "kernel": "$(uname -r)",
 "java": "$(java -version 2>&1 | head -1 | sed 's/"/\\"/g')", "redis": "$redis_version",
 "quarkus": "$(sed -n 's:.*<quarkus.platform.version>\(.*\)</quarkus.platform.version>.*:\1:p' pom.xml | head -1)",
 "mongodb": "mongo-java-server stand-in, every write answered ${MONGO_COMMIT_LATENCY_MS:-2} ms later",
 "commit": "$(git rev-parse HEAD)", "uncommittedChanges": $([[ -z $(git status --porcelain --untracked-files=no) ]] && echo false || echo true)}
JSON

bench=(java -Xmx1g -XX:+UseParallelGC -Dbench.processes=redis-server=$redis_pid,mongodb-stand-in=$mongo_pid
  -cp benchmarks/target/benchmarks-1.0.0-SNAPSHOT.jar)
services=(conversation=http://localhost:$conversation_port,${pid[conversation-service]} message=http://localhost:$message_port,${pid[message-service]})
"${bench[@]}" dev.chatlayer.bench.Suite paths "$work/keys" "$work/paths.json" "$redis_port" "${services[@]}" \
  presence=http://localhost:$presence_port,${pid[presence-service]} | tee "$work/paths.log"

echo "== batching off: message-service restarted with one insert per message"
stop message-service
start message-service "$message_port" "${service_jvm[@]}" -Dmessages.batch-max-size=1
services=(conversation=http://localhost:$conversation_port,${pid[conversation-service]} message=http://localhost:$message_port,${pid[message-service]})
"${bench[@]}" dev.chatlayer.bench.Suite one-by-one "$work/keys" "$work/one-by-one.json" "$redis_port" "${services[@]}" | tee "$work/one-by-one.log"

echo "== presence: ${PRESENCE_SOCKETS:-19000} sockets held, heartbeats at 20,000/s for 60 s (presence-service restarted fresh)"
stop presence-service
start presence-service "$presence_port" "${presence_jvm[@]}"
"${bench[@]}" dev.chatlayer.bench.PresenceBench "$presence_port" "${pid[presence-service]}" "$work/keys" "${PRESENCE_SOCKETS:-19000}" 20000 60 \
  "$work/presence.json" | tee "$work/presence.log" || echo "the presence benchmark failed (the report goes on without it): $work/presence.log"

echo "== soak: ${SOAK_MINUTES:-10} min of mixed traffic with socket churn"
services=(conversation=http://localhost:$conversation_port,${pid[conversation-service]} message=http://localhost:$message_port,${pid[message-service]}
  presence=http://localhost:$presence_port,${pid[presence-service]})
"${bench[@]}" dev.chatlayer.bench.Soak "$work/keys" "$work/soak.json" "${SOAK_MINUTES:-10}" "${services[@]}" | tee "$work/soak.log" \
  || echo "the soak failed (the report goes on without it): $work/soak.log"

name=${RESULTS_NAME:-$(date +%F)}
mkdir -p benchmarks/results
"${bench[@]}" dev.chatlayer.bench.Report "$work" benchmarks/results "$name"
echo "results: benchmarks/results/$name.md, $name.json, $name/*.png"

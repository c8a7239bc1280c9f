#!/usr/bin/env bash
# Message benchmark: its own Redis and MongoDB-compatible server, conversation-service and message-service (the
# rate limit lifted: 50 senders send far more than 10 messages per 10 s each). Open-model send and read figures,
# then the batching comparison: the same closed loop against message-service, then against a message-service
# forced to one insert per message (started alone, so the two never share the CPU). HdrHistogram percentiles.
#   benchmarks/messages.sh
# Knobs: MONGO_COMMIT_LATENCY_MS=N (every MongoDB write answered N ms later, like a journaled majority commit;
# default 0: the in-memory stand-in's microseconds); SKIP_BUILD=1; SERVICE_OPTS (JVM options of the services);
# BENCH_OPTS (-Dbench.send-only=true or -Dbench.reads-only=true, -Dbench.send-rate=N -Dbench.send-seconds=N);
# PROFILE_DIR=dir (JFR per service).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; [[ -n "${KEEP:-}" ]] || rm -rf "$work"' EXIT; echo "work dir: $work"
[[ -n "${SKIP_BUILD:-}" ]] || ./mvnw -B -q install -DskipTests
# Every JVM here (stand-ins, services, generator) uses the throughput collector: on two shared cores its short
# young pauses beat G1's, which reached 40-60 ms in the MongoDB stand-in.
testkit=(java -XX:+UseParallelGC -jar testkit/target/testkit-1.0.0-SNAPSHOT.jar)
"${testkit[@]}" keys "$work/keys" >/dev/null
redis_port=6396; mongo_port=27036
"${testkit[@]}" redis $redis_port >"$work/redis.log" 2>&1 &
"${testkit[@]}" mongo $mongo_port "${MONGO_COMMIT_LATENCY_MS:-0}" >"$work/mongo.log" 2>&1 &
for f in redis mongo; do
  for _ in $(seq 1 50); do grep -q listening "$work/$f.log" && break; sleep 0.2; done
  grep -q listening "$work/$f.log" || { echo "$f did not start:"; cat "$work/$f.log"; exit 1; }
done
echo "MongoDB stand-in commit latency: ${MONGO_COMMIT_LATENCY_MS:-0} ms"
common=(-Xmx512m -XX:+UseParallelGC -Dquarkus.redis.hosts=redis://127.0.0.1:$redis_port
        -Dquarkus.mongodb.connection-string=mongodb://127.0.0.1:$mongo_port
        -Dmp.jwt.verify.publickey.location="$work/keys/publicKey.pem" -Dquarkus.log.level=WARN ${SERVICE_OPTS:-})
start() { # name port jar extra...
  local name=$1 port=$2 jar=$3; shift 3
  java "${common[@]}" ${PROFILE_DIR:+-XX:StartFlightRecording=filename=$PROFILE_DIR/$name.jfr,settings=profile} \
    -Dquarkus.http.port=$port "$@" -jar "$jar" >"$work/$name.log" 2>&1 &
  echo $! >"$work/$name.pid"
}
ready() { # port...
  for port in "$@"; do
    for _ in $(seq 1 150); do curl -sf -o /dev/null localhost:$port/q/health/ready && break; sleep 0.2; done
    curl -sf -o /dev/null localhost:$port/q/health/ready || { echo "service on $port did not start"; tail -5 "$work"/*.log; exit 1; }
  done
}
bench=(java -Xmx512m -XX:+UseParallelGC ${BENCH_OPTS:-} -cp benchmarks/target/benchmarks-1.0.0-SNAPSHOT.jar dev.chatlayer.bench.MessageBench "$work/keys")
messages=(message-service/target/quarkus-app/quarkus-run.jar -Dquarkus.rest-client.conversation-service.url=http://localhost:8097
          -Dmessages.rate-limit=100000000)

start conversation 8097 conversation-service/target/quarkus-app/quarkus-run.jar -Dquarkus.rest-client.message-service.url=http://localhost:8098
start messages 8098 "${messages[@]}"
ready 8097 8098
"${bench[@]}" http://localhost:8097 http://localhost:8098 | tee "$work/bench.log"
batched=$(sed -n 's/^batched: \([0-9]*\) sends\/s$/\1/p' "$work/bench.log")
[[ -n "$batched" ]] || exit 0 # send-only profiling run

kill "$(cat "$work/messages.pid")"; wait "$(cat "$work/messages.pid")" 2>/dev/null || true
start one-by-one 8099 "${messages[@]}" -Dmessages.batch-max-size=1
ready 8099
"${bench[@]}" http://localhost:8097 http://localhost:8099 "$batched"

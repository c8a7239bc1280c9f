#!/usr/bin/env bash
# Message benchmark: its own Redis and MongoDB-compatible server, conversation-service, and two message-services
# (the normal one, and one forced to one insert per message for the batching comparison). The rate limit is
# lifted for the run (50 senders send far more than 10 messages per 10 s each). Prints HdrHistogram figures.
#   benchmarks/messages.sh
# Knobs: SKIP_BUILD=1; SERVICE_OPTS (JVM options of the services); BENCH_OPTS (-Dbench.send-only=true
# -Dbench.send-rate=N -Dbench.send-seconds=N); PROFILE_DIR=dir (a JFR recording per service).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; [[ -n "${KEEP:-}" ]] || rm -rf "$work"' EXIT; echo "work dir: $work"
[[ -n "${SKIP_BUILD:-}" ]] || ./mvnw -B -q install -DskipTests
testkit=(java -jar testkit/target/testkit-1.0.0-SNAPSHOT.jar)
"${testkit[@]}" keys "$work/keys" >/dev/null
redis_port=6396; mongo_port=27036
"${testkit[@]}" redis $redis_port >"$work/redis.log" 2>&1 &
"${testkit[@]}" mongo $mongo_port >"$work/mongo.log" 2>&1 &
for f in redis mongo; do
  for _ in $(seq 1 50); do grep -q listening "$work/$f.log" && break; sleep 0.2; done
  grep -q listening "$work/$f.log" || { echo "$f did not start:"; cat "$work/$f.log"; exit 1; }
done
common=(-Xmx512m -Dquarkus.redis.hosts=redis://127.0.0.1:$redis_port -Dquarkus.mongodb.connection-string=mongodb://127.0.0.1:$mongo_port
        -Dmp.jwt.verify.publickey.location="$work/keys/publicKey.pem" -Dquarkus.log.level=WARN ${SERVICE_OPTS:-})
start() { # name port jar extra...
  local name=$1 port=$2 jar=$3; shift 3
  java "${common[@]}" ${PROFILE_DIR:+-XX:StartFlightRecording=filename=$PROFILE_DIR/$name.jfr,settings=profile} \
    -Dquarkus.http.port=$port "$@" -jar "$jar" >"$work/$name.log" 2>&1 &
}
start conversation 8097 conversation-service/target/quarkus-app/quarkus-run.jar -Dquarkus.rest-client.message-service.url=http://localhost:8098
start messages 8098 message-service/target/quarkus-app/quarkus-run.jar -Dquarkus.rest-client.conversation-service.url=http://localhost:8097 \
  -Dmessages.rate-limit=100000000
start one-by-one 8099 message-service/target/quarkus-app/quarkus-run.jar -Dquarkus.rest-client.conversation-service.url=http://localhost:8097 \
  -Dmessages.rate-limit=100000000 -Dmessages.batch-max-size=1
for port in 8097 8098 8099; do
  for _ in $(seq 1 150); do curl -sf -o /dev/null localhost:$port/q/health/ready && break; sleep 0.2; done
  curl -sf -o /dev/null localhost:$port/q/health/ready || { echo "service on $port did not start"; tail -5 "$work"/*.log; exit 1; }
done
java -Xmx512m ${BENCH_OPTS:-} -cp benchmarks/target/benchmarks-1.0.0-SNAPSHOT.jar dev.chatlayer.bench.MessageBench \
  "$work/keys" http://localhost:8097 http://localhost:8098 http://localhost:8099

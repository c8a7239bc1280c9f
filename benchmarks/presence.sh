#!/usr/bin/env bash
# Presence benchmark: its own Redis, one presence-service (JVM mode, heap capped like a 512 MiB pod),
# N sockets held, then heartbeats at a fixed rate. Prints sockets held, the service's RSS and the
# heartbeats it processed per second.
#   benchmarks/presence.sh [SOCKETS=10000] [RATE=25000] [SECONDS=20]
set -euo pipefail
cd "$(dirname "$0")/.."
sockets=${1:-10000}; rate=${2:-25000}; seconds=${3:-20}
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; [[ -n "${KEEP:-}" ]] || rm -rf "$work"' EXIT; echo "work dir: $work"
[[ -n "${SKIP_BUILD:-}" ]] || ./mvnw -B -q install -DskipTests
testkit=(java -jar testkit/target/testkit-1.0.0-SNAPSHOT.jar)
"${testkit[@]}" keys "$work/keys" >/dev/null
redis_port=6395; port=8095
"${testkit[@]}" redis $redis_port >"$work/redis.log" 2>&1 &
for _ in $(seq 1 50); do grep -q listening "$work/redis.log" && break; sleep 0.2; done
grep -q listening "$work/redis.log" || { echo "redis did not start:"; cat "$work/redis.log"; exit 1; }
java ${SERVICE_JAVA_OPTS:--Xmx320m -XX:+UseSerialGC -Xss512k -XX:ReservedCodeCacheSize=64m -XX:MaxDirectMemorySize=64m} \
  -Dquarkus.http.port=$port -Dquarkus.redis.hosts=redis://127.0.0.1:$redis_port \
  -Dmp.jwt.verify.publickey.location="$work/keys/publicKey.pem" -Dquarkus.log.level=WARN \
  -jar presence-service/target/quarkus-app/quarkus-run.jar >"$work/service.log" 2>&1 &
service=$!
for _ in $(seq 1 100); do curl -sf -o /dev/null localhost:$port/q/health/ready && break; sleep 0.2; done
curl -sf -o /dev/null localhost:$port/q/health/ready || { echo "presence-service did not start:"; tail -5 "$work/service.log"; exit 1; }
rss_before=$(awk '/VmRSS/{print $2}' /proc/$service/status)
java -Xmx512m -cp "benchmarks/target/benchmarks-1.0.0-SNAPSHOT.jar" dev.chatlayer.bench.PresenceBench \
  $port "$work/keys" "$sockets" "$rate" "$seconds" &
bench=$!
peak=0
while kill -0 $bench 2>/dev/null; do
  rss=$(awk '/VmRSS/{print $2}' /proc/$service/status); (( rss > peak )) && peak=$rss
  sleep 0.5
done
wait $bench
echo "service RSS: $((rss_before / 1024)) MiB idle, $((peak / 1024)) MiB peak while holding the sockets"
echo "redis: $(redis-cli -p $redis_port dbsize 2>/dev/null || echo '?') keys"

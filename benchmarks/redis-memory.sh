#!/usr/bin/env bash
# Redis memory per key type at realistic sizes, for sizing a deployment (docs/scaling.md): starts a throw-away
# redis-server on a free port, writes one key of each kind the services write (same formats and sizes), prints
# MEMORY USAGE of each (bytes, including Redis's own per-key overhead), and stops it. Needs redis-server and redis-cli.
set -euo pipefail
port=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --logfile /dev/null >/dev/null
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true' EXIT
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
r() { redis-cli -p "$port" "$@" >/dev/null; }
usage() { printf '%-62s %7s B  %s\n' "$1" "$(redis-cli -p "$port" memory usage "$1" samples 0)" "$2"; }

u=user-0123456789abcdef; c=65a1f0c2e4b0a1b2c3d4e5f6; now=1764150000000
msg() { printf '{"id":"%024x","conversationId":"%s","senderId":"%s","content":"%s","clientMessageId":null,"createdAt":"2026-11-26T10:00:00.000Z"}' "$1" "$c" "$u" "$(head -c 120 /dev/zero | tr '\0' 'x')"; }

r set "chat:{$c}" "{\"id\":\"$c\",\"participants\":[\"$u\",\"user-fedcba9876543210\"],\"createdBy\":\"$u\",\"status\":\"ACCEPTED\",\"createdAt\":\"2026-11-26T10:00:00Z\",\"updatedAt\":\"2026-11-26T10:00:00Z\",\"lastMessageAt\":\"2026-11-26T10:00:00Z\",\"deletedAt\":{},\"hiddenFor\":[],\"version\":7}" PX 86400000
for i in $(seq 1 100); do r zadd "messages:{$c}" $((now + i)) "$(msg $i)"; done; r zadd "messages:{$c}" +inf "~"; r pexpire "messages:{$c}" 7200000
r set "unread:{$u}:{$c}" 5
for i in $(seq 1 5); do r zadd "unread-ids:{$u}:{$c}" $((now + i)) "$(printf '%024x' $i)"; done
r set "read-at:{$u}:{$c}" $now
r sadd "unread-index:{$u}" "~"; for i in $(seq 1 20); do r sadd "unread-index:{$u}" "$(printf '65a1f0c2e4b0a1b2c3d4%04x' $i)"; done
r set "presence:{$u}" "2f6c1c2e-8d1f-4d4e-9b1a-0c2d3e4f5a6b" PX 300000
r zadd "presence:{$u}:connections" $((now + 120000)) "2f6c1c2e-8d1f-4d4e-9b1a-0c2d3e4f5a6b" $((now + 120000)) "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"
r pexpire "presence:{$u}:connections" 300000
r set "lastseen:{$u}" "2026-11-26T10:00:00.123Z"
r sadd "contacts:{$u}" "$u"; for i in $(seq 1 50); do r sadd "contacts:{$u}" "user-$(printf '%016x' $i)"; done; r pexpire "contacts:{$u}" 86400000
r set "contacts:{$u}:gen" 3 PX 86400000
r sadd "deleted:{$u}" "$c"; r set "deleted:{$u}:{$c}:at" "2026-11-26T10:00:00Z"
r set "ratelimit:messages:{$u}" 3 PX 10000
r set "idempotency:{$u}:client-0001" "$(msg 1)" PX 86400000

echo "Redis $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/'), MEMORY USAGE of one key of each kind:"
usage "chat:{$c}" "conversation JSON, 2 participants (24 h)"
usage "messages:{$c}" "100 newest messages of 120 characters (2 h)"
usage "unread:{$u}:{$c}" "unread counter"
usage "unread-ids:{$u}:{$c}" "5 unread message ids"
usage "read-at:{$u}:{$c}" "read position"
usage "unread-index:{$u}" "20 conversations with unread messages"
usage "presence:{$u}" "online (5 min)"
usage "presence:{$u}:connections" "2 live sockets"
usage "lastseen:{$u}" "last seen"
usage "contacts:{$u}" "50 contacts (24 h)"
usage "contacts:{$u}:gen" "contacts generation"
usage "deleted:{$u}" "1 hidden conversation"
usage "deleted:{$u}:{$c}:at" "its cutoff"
usage "ratelimit:messages:{$u}" "send window (10 s)"
usage "idempotency:{$u}:client-0001" "a clientMessageId's first message (24 h)"

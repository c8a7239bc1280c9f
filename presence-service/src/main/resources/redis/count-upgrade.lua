-- Counts one WebSocket upgrade of a user in a fixed window; the counter gets its TTL in the same call.
-- KEYS[1] ratelimit:upgrades:{userId}; ARGV[1] window (ms). Returns {upgrades in this window, ms left in it}.
local upgrades = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {upgrades, ttl}

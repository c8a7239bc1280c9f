-- Counts one send in the user's fixed window; the counter gets its TTL in the same atomic call,
-- so it can never be left without one. KEYS[1] ratelimit:messages:{userId}; ARGV[1] window (ms).
-- Returns {sends in this window, milliseconds until the window ends}.
local sends = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {sends, ttl}

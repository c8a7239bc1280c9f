-- Counts one event in a fixed window (a rate limit); the counter gets its TTL in the same atomic call, so it can
-- never be left without one. Every per-user limit of the services (UserLimiter).
-- KEYS[1] the counter, e.g. ratelimit:messages:{userId}; ARGV[1] window (ms).
-- Returns {events in this window, milliseconds until the window ends}.
local events = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {events, ttl}

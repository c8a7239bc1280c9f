-- A replica going away hands a connection over: its entry goes, but the user does not go offline with it. If it was
-- their last live connection, presence:{userId} stays for a short grace (never longer than it already had), long
-- enough for the client to reconnect to another replica; if it does not, the key expires and watchers hear of it.
-- KEYS[1] presence:{userId}; KEYS[2] presence:{userId}:connections; ARGV[1] connection id; ARGV[2] now (ms);
-- ARGV[3] grace (ms). Returns 1 if no live connection of the user is left.
local now = tonumber(ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) > 0 then
  return 0
end
redis.call('DEL', KEYS[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > tonumber(ARGV[3]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 1

-- Connections of one user (or the user's REST heartbeat) are alive: keep the user online for one more TTL.
-- KEYS[1] presence:{userId}              STRING, a live connection id of the user (EXISTS = online)
-- KEYS[2] presence:{userId}:connections  ZSET, member = connection id, score = its expiry (epoch ms)
-- KEYS[3] lastseen:{userId}              STRING, ISO-8601 instant the user was last seen alive
-- ARGV[1] now (ms); ARGV[2] TTL (ms); ARGV[3] most sockets per user (0 = do not check);
-- ARGV[4] how long each connection counts without another beat (ms): a socket's entry lapses after about two
-- heartbeat intervals, so the sockets of a killed replica stop counting against the limit long before the TTL;
-- ARGV[5] now as ISO-8601 (lastseen); ARGV[6..] the connection ids (the limit is checked for ARGV[6] only: a
-- socket's first beat comes alone, refreshes of several sockets of the user come together).
-- Returns 1 if the user just came online, 0 if they already were, -1 if the socket limit refuses the connection.
-- All keys hash on {userId} (one slot), so this runs on Redis Cluster too.
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local expires = now + tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if max > 0 and not redis.call('ZSCORE', KEYS[2], ARGV[6]) then
  local sockets = redis.call('ZCARD', KEYS[2])
  if redis.call('ZSCORE', KEYS[2], 'rest') then
    sockets = sockets - 1
  end
  if sockets >= max then
    return -1
  end
end
local wasOnline = redis.call('EXISTS', KEYS[1])
for i = 6, #ARGV do
  redis.call('ZADD', KEYS[2], expires, ARGV[i])
end
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('SET', KEYS[1], ARGV[6], 'PX', ttl)
redis.call('SET', KEYS[3], ARGV[5])
if wasOnline == 1 then
  return 0
end
return 1

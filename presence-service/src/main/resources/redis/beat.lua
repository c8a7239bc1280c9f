-- A connection (or the user's REST heartbeat) is alive: keep the user online for one more TTL.
-- KEYS[1] presence:{userId}            STRING, a live connection id of the user (EXISTS = online)
-- KEYS[2] presence:{userId}:connections  ZSET, member = connection id, score = its expiry (epoch ms)
-- ARGV[1] connection id; ARGV[2] now (ms); ARGV[3] TTL (ms); ARGV[4] most sockets per user (0 = do not check);
-- ARGV[5] how long this connection counts without another beat (ms): a socket's entry lapses after about two
-- heartbeat intervals, so the sockets of a killed replica stop counting against the limit long before the TTL
-- Returns 1 if the user just came online, 0 if they already were, -1 if the socket limit refuses the connection.
-- Both keys hash on {userId} (one slot), so this runs on Redis Cluster too.
local now = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local max = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if max > 0 and not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  local sockets = redis.call('ZCARD', KEYS[2])
  if redis.call('ZSCORE', KEYS[2], 'rest') then
    sockets = sockets - 1
  end
  if sockets >= max then
    return -1
  end
end
local wasOnline = redis.call('EXISTS', KEYS[1])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
if wasOnline == 1 then
  return 0
end
return 1

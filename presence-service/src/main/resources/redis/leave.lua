-- A connection closed (or the user ended REST presence). The user stays online while any other
-- connection is alive; a late close of an old connection only removes that connection.
-- KEYS[1] presence:{userId}; KEYS[2] presence:{userId}:connections; KEYS[3] lastseen:{userId}
-- ARGV[1] connection id; ARGV[2] now (ms); ARGV[3] now as ISO-8601 (lastseen, written when the user goes offline)
-- Returns 1 if the user just went offline, 0 otherwise.
local now = tonumber(ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local newest = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
if #newest == 0 then
  redis.call('DEL', KEYS[2])
  local wasOnline = redis.call('DEL', KEYS[1])
  if wasOnline == 1 then
    redis.call('SET', KEYS[3], ARGV[3])
  end
  return wasOnline
end
-- still online: the key names a live connection and keeps the TTL its latest beat gave it (a connection's own
-- entry may lapse sooner than that TTL, so it does not decide how long the user stays online)
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('SET', KEYS[1], newest[1], 'KEEPTTL')
else
  redis.call('SET', KEYS[1], newest[1], 'PX', tonumber(newest[2]) - now)
end
return 0

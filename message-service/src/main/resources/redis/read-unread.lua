-- Moves a user's read position in a conversation forward (never back) and drops what it covers.
-- KEYS as in count-unread.lua. ARGV[1] read position, createdAt ms; ARGV[2] conversation id;
-- ARGV[3..] optional (message id, createdAt ms) pairs to count: a rebuild from MongoDB adds them to what
-- concurrent sends counted meanwhile (a union, so nothing counted is lost and nothing is counted twice).
-- Returns the count.
local readAt = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[3]) or '-1')
if readAt > current then
  redis.call('SET', KEYS[3], ARGV[1])
else
  readAt = current
end
for i = 3, #ARGV, 2 do
  if tonumber(ARGV[i + 1]) > readAt then
    redis.call('ZADD', KEYS[2], 'NX', ARGV[i + 1], ARGV[i])
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', readAt)
local n = redis.call('ZCARD', KEYS[2])
if n == 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('SREM', KEYS[4], ARGV[2])
else
  redis.call('SET', KEYS[1], n)
  redis.call('SADD', KEYS[4], ARGV[2])
end
return n

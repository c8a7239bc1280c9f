-- Moves a user's read position in a conversation forward (never back) and drops what it covers.
-- KEYS as in count-unread.lua. ARGV[1] read position, createdAt ms; ARGV[2] conversation id; ARGV[3] '1' when the
-- caller read MongoDB (a rebuild: ARGV[5..] are then every unread message as (id, createdAt ms) pairs, exact as of
-- that read), else '0'; ARGV[4] with a rebuild, createdAt ms up to which every message is surely stored and counted
-- (older ones are kept as a number, not as ids); ARGV[5..] the pairs.
-- The count is the ids still held plus the settled ones (counted, their ids dropped) not yet read. A rebuild merges
-- its pairs with what concurrent sends counted meanwhile (a union: nothing counted is lost or counted twice).
-- Returns the count.
local readAt = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[3]) or '-1')
if readAt > current then
  redis.call('SET', KEYS[3], ARGV[1])
else
  readAt = current
end
local settledUpTo = tonumber(redis.call('GET', KEYS[5]) or '-1')
local heldBefore = redis.call('ZCARD', KEYS[2])
local settled = tonumber(redis.call('GET', KEYS[1]) or '0') - heldBefore
if ARGV[3] == '1' then
  local settleBefore = tonumber(ARGV[4])
  if settleBefore > settledUpTo then
    settledUpTo = settleBefore
  end
  settled = 0
  for i = 5, #ARGV, 2 do
    local at = tonumber(ARGV[i + 1])
    if at > readAt and not redis.call('ZSCORE', KEYS[2], ARGV[i]) then
      if at <= settledUpTo then
        settled = settled + 1
      else
        redis.call('ZADD', KEYS[2], at, ARGV[i])
      end
    end
  end
  -- ids already held in the settled range stay counted as ids
  redis.call('SET', KEYS[5], settledUpTo)
elseif readAt >= settledUpTo then
  settled = 0 -- every settled message is at or before the new read position
elseif settled > 0 then
  -- read up to a point inside the settled range (clocks apart): how many settled messages stay unread is only known
  -- to MongoDB; the user's next read rebuilds
  redis.call('SREM', KEYS[4], '~')
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', readAt)
local n = settled + redis.call('ZCARD', KEYS[2])
if n == 0 then
  -- nothing counted is unread: no settled message can be brought again unread, so the settled mark goes too
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[5])
  redis.call('SREM', KEYS[4], ARGV[2])
else
  redis.call('SET', KEYS[1], n)
  redis.call('SADD', KEYS[4], ARGV[2])
end
return n

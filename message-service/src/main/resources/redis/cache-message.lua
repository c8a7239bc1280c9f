-- Adds a stored message to its conversation's recent cache and keeps the newest N, refreshing the TTL.
-- KEYS[1] messages:{chatId}  ZSET, score = createdAt epoch ms, member = message JSON; the member "~" at
--         +inf marks a cache filled from MongoDB (it then holds the newest N messages with no gap).
-- ARGV[1] createdAt ms; ARGV[2] message JSON; ARGV[3] N; ARGV[4] TTL ms
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
local keep = tonumber(ARGV[3])
if redis.call('ZSCORE', KEYS[1], '~') then
  keep = keep + 1
end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(keep + 1))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1

-- Fills a conversation's recent cache from MongoDB's newest N messages and marks it complete. Members
-- added meanwhile by sends stay (ZADD only adds), so the union is still the newest messages, no gap.
-- KEYS[1] messages:{chatId}; ARGV[1] N; ARGV[2] TTL ms; ARGV[3..] score, member pairs
for i = 3, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('ZADD', KEYS[1], '+inf', '~')
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[1]) + 2))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1

-- The after-store work of these messages is complete (their activity was reported and they left MongoDB's outbox),
-- so nothing can bring them to count-unread.lua again: their ids go, the count keeps them. What stays per user and
-- conversation is bounded however many messages are unread.
-- KEYS[1] unread-ids:{userId}:{chatId}; KEYS[2] unread-settled:{userId}:{chatId} (see count-unread.lua)
-- ARGV[1..] (message id, createdAt ms) pairs. Returns how many ids were dropped.
local settledUpTo = tonumber(redis.call('GET', KEYS[2]) or '-1')
local dropped = 0
for i = 1, #ARGV, 2 do
  if redis.call('ZREM', KEYS[1], ARGV[i]) == 1 then
    dropped = dropped + 1
    local at = tonumber(ARGV[i + 1])
    if at > settledUpTo then
      settledUpTo = at
    end
  end
end
if dropped > 0 then
  redis.call('SET', KEYS[2], settledUpTo)
end
return dropped

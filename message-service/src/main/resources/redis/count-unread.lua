-- Counts one message as unread for one user, exactly once and only if it is newer than their read position.
-- KEYS[1] unread:{userId}:{chatId}         STRING, the count
-- KEYS[2] unread-ids:{userId}:{chatId}     ZSET of counted message ids whose after-store work may still bring them
--                                          again, scored by createdAt ms (settle-unread.lua drops the others)
-- KEYS[3] read-at:{userId}:{chatId}        STRING, createdAt ms up to which the user has read (or cut the history)
-- KEYS[4] unread-index:{userId}            SET of the user's conversations that may have unread messages; the member
--                                          '~' says the user's counts are complete
-- KEYS[5] unread-settled:{userId}:{chatId} STRING, createdAt ms up to which counted ids may have been dropped
-- ARGV[1] message id; ARGV[2] createdAt ms; ARGV[3] conversation id
-- Returns 1 if the message is counted now, 0 if it was counted before, is already read, or cannot be told apart
-- from a settled one (then the user's counts are marked incomplete: their next read rebuilds them from MongoDB).
local readAt = tonumber(redis.call('GET', KEYS[3]) or '-1')
local createdAt = tonumber(ARGV[2])
if createdAt <= readAt then
  return 0
end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  return 0
end
if createdAt <= tonumber(redis.call('GET', KEYS[5]) or '-1') then
  -- a late re-drive of a message that may have been counted and settled: MongoDB decides
  redis.call('SREM', KEYS[4], '~')
  return 0
end
redis.call('ZADD', KEYS[2], createdAt, ARGV[1])
redis.call('INCR', KEYS[1])
redis.call('SADD', KEYS[4], ARGV[3])
return 1

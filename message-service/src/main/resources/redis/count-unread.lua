-- Counts one message as unread for one user, exactly once and only if it is newer than their read position.
-- KEYS[1] unread:{userId}:{chatId}        STRING, the count (always the size of KEYS[2])
-- KEYS[2] unread-ids:{userId}:{chatId}    ZSET of the counted message ids, scored by createdAt ms
-- KEYS[3] read-at:{userId}:{chatId}       STRING, createdAt ms up to which the user has read (or cut the history)
-- KEYS[4] unread-index:{userId}           SET of the user's conversations that may have unread messages
-- ARGV[1] message id; ARGV[2] createdAt ms; ARGV[3] conversation id
-- Returns 1 if the message is counted now, 0 if it was counted before or is already read.
local readAt = tonumber(redis.call('GET', KEYS[3]) or '-1')
if tonumber(ARGV[2]) <= readAt then
  return 0
end
if redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[1]) == 0 then
  return 0
end
redis.call('SET', KEYS[1], redis.call('ZCARD', KEYS[2]))
redis.call('SADD', KEYS[4], ARGV[3])
return 1

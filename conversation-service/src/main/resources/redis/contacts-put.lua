-- Stores a contact set rebuilt from MongoDB, unless a change came in since the rebuild read the generation.
-- The user is a member of their own set: an existing key means "built", even for a user with no contacts.
-- KEYS[1] contacts:{userId}; KEYS[2] contacts:{userId}:gen (same slot);
-- ARGV[1] the generation read before MongoDB ('' for none); ARGV[2] TTL in ms; ARGV[3..] the members.
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1])
for i = 3, #ARGV, 5000 do
  redis.call('SADD', KEYS[1], unpack(ARGV, i, math.min(i + 4999, #ARGV)))
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1

-- A change of who shares a conversation with the user: drop their contact set and move its generation on, so a
-- rebuild that read MongoDB before the change cannot store what it read (contacts-put.lua compares generations).
-- DEL comes first: it works even when Redis is full, and a script that has written may go on writing.
-- KEYS[1] contacts:{userId}; KEYS[2] contacts:{userId}:gen (same slot); ARGV[1] generation TTL in ms.
redis.call('DEL', KEYS[1])
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 1

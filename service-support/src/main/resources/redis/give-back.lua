-- Gives one counted event back: the request turned out not to need the limit (a retry answered with what the first
-- attempt stored). Only while the window lasts: a missing key is a window that ended, and a DECR would create a
-- count without an expiry.
-- KEYS[1] the window's counter. Returns the count after, or -1 when the window had ended.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('DECR', KEYS[1])
end
return -1

-- Writes a conversation into chat:{id} unless the cache already holds the same or a newer version,
-- so a slow writer can never put back an older state. One key, so it runs on Redis Cluster too.
-- KEYS[1] chat:{id}; ARGV[1] conversation JSON; ARGV[2] its version; ARGV[3] TTL in milliseconds.
local cached = redis.call('GET', KEYS[1])
if cached then
  local ok, decoded = pcall(cjson.decode, cached)
  if ok and tonumber(decoded['version']) and tonumber(decoded['version']) >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1

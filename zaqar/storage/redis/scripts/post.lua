-- Store a batch of messages, creating the queue if needed; return the
-- first id (ids are consecutive). ARGV[5] the metadata the caller built the
-- messages from ('' for no check: otherwise, when the stored metadata
-- differs, store nothing and return {current metadata}); ARGV[6] client
-- id, then six values per message: ttl, expires, delay until, checksum
-- ('' for none), body, key lifetime in ms.
if ARGV[5] ~= '' then
  local current = redis.call('HGET', META, QUEUE) or EMPTY_META
  if current ~= ARGV[5] then return {current} end
end
redis.call('ZADD', QUEUES, 'NX', 0, QUEUE)
redis.call('HSETNX', META, QUEUE, EMPTY_META)
local n = (#ARGV - 6) / 6
local first = redis.call('INCRBY', SEQ, n) - n + 1
for i = 0, n - 1 do
  local a = 7 + i * 6
  local id = string.format('%d', first + i)
  local key = message_key(BASE, id)
  redis.call('HSET', key, 'b', ARGV[a + 4], 't', ARGV[a], 'c', NOW_TEXT, 'e', ARGV[a + 1],
             'd', ARGV[a + 2], 'u', ARGV[6], 'n', 0)
  if ARGV[a + 3] ~= '' then redis.call('HSET', key, 'k', ARGV[a + 3]) end
  redis.call('PEXPIRE', key, ARGV[a + 5])
  redis.call('ZADD', IDS, id, id)
  redis.call('ZADD', EXPIRY, ARGV[a + 1], key)
end
return first

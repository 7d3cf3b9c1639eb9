-- Remove up to ARGV[5] expired messages of every queue under the prefix;
-- return how many went. Claim keys need no gc: they carry a key TTL.
local keys = redis.call('ZRANGEBYSCORE', EXPIRY, '-inf', NOW_TEXT, 'LIMIT', 0, tonumber(ARGV[5]))
for _, key in ipairs(keys) do
  -- Ids are digits only, so the last ':m:' ends the queue's base.
  local base, id = string.match(key, '^(.*):m:(%d+)$')
  redis.call('DEL', key)
  redis.call('ZREM', base .. ':ids', id)
  redis.call('ZREM', EXPIRY, key)
end
return #keys

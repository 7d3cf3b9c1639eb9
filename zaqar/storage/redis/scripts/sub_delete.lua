-- Remove subscription ARGV[5], or (ARGV[5] = '') every subscription.
local function drop(id)
  local subscriber = redis.call('HGET', sub_key(id), 'u')
  if subscriber and redis.call('HGET', BY, subscriber) == id then redis.call('HDEL', BY, subscriber) end
  redis.call('DEL', sub_key(id))
  redis.call('ZREM', SUBS, id)
end
if ARGV[5] ~= '' then
  drop(ARGV[5])
else
  for _, id in ipairs(redis.call('ZRANGE', SUBS, 0, -1)) do drop(id) end
  redis.call('DEL', SUBS, BY)
end
return 1

-- Remove subscription ARGV[5], or (ARGV[5] = '') every subscription.
if ARGV[5] ~= '' then
  drop_sub(ARGV[5], redis.call('HGET', sub_key(ARGV[5]), 'u'))
else
  for _, id in ipairs(redis.call('ZRANGE', SUBS, 0, -1)) do drop_sub(id, nil) end
  redis.call('DEL', SUBS, BY)
end
return 1

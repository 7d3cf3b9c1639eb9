-- Up to ARGV[6] live subscriptions after id ARGV[5] ('' from the start),
-- in creation order: a flat list of records.
local limit, cursor = tonumber(ARGV[6]), '-inf'
if ARGV[5] ~= '' then
  local score = redis.call('ZSCORE', SUBS, ARGV[5])
  if not score then return {} end
  cursor = '(' .. score
end
local found = {}
while #found < limit do
  local batch = redis.call('ZRANGEBYSCORE', SUBS, cursor, '+inf', 'WITHSCORES', 'LIMIT', 0, SCAN_BATCH)
  for i = 1, #batch, 2 do
    local h = live_sub(batch[i])
    if h then
      found[#found + 1] = sub_record(batch[i], h)
      if #found == limit then return found end
    end
  end
  if #batch < 2 * SCAN_BATCH then break end
  cursor = '(' .. batch[#batch]
end
return found

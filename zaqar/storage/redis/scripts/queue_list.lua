-- {names, metadata} of up to ARGV[6] queues from ZRANGEBYLEX bound ARGV[5]
-- whose name contains ARGV[7] (plain substring, '' for all); metadata
-- (msgpack, in name order) only when ARGV[8] is '1'.
local want, sub, start = tonumber(ARGV[6]), ARGV[7], ARGV[5]
local names = {}
while #names < want do
  local batch = redis.call('ZRANGEBYLEX', QUEUES, start, '+', 'LIMIT', 0, SCAN_BATCH)
  for _, name in ipairs(batch) do
    if sub == '' or string.find(name, sub, 1, true) then
      names[#names + 1] = name
      if #names >= want then break end
    end
  end
  if #batch < SCAN_BATCH then break end
  start = '(' .. batch[#batch]
end
local metas = {}
if ARGV[8] == '1' and #names > 0 then metas = redis.call('HMGET', META, unpack(names)) end
return {names, metas}

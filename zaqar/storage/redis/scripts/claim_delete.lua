-- Release claim ARGV[5]: its messages are free at once. Messages since
-- claimed by another claim are left alone.
local cid = ARGV[5]
local key = claim_key(BASE, cid)
local ids = redis.call('HGET', key, 'm')
if not ids then return 0 end
for id in string.gmatch(ids, '%d+') do
  local mkey = message_key(BASE, id)
  if redis.call('HGET', mkey, 'ci') == cid then redis.call('HDEL', mkey, 'ci', 'ce') end
end
redis.call('DEL', key)
return 1

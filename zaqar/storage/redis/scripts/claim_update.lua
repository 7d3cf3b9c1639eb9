-- Renew live claim ARGV[5]: ARGV[6] ttl, [7] new expiry, [8] message expiry
-- floor, [9] its ttl, [10] its key lifetime in ms, [11] the claim key's.
-- Return how many messages it still holds (0: no such live claim).
local cid = ARGV[5]
local c, held = held_messages(cid)
if not c or #held == 0 then return 0 end
local ids = {}
for _, m in ipairs(held) do
  local key = message_key(BASE, m[1])
  redis.call('HSET', key, 'ce', ARGV[7])
  extend(key, m[2], ARGV[8], ARGV[9], ARGV[10])
  ids[#ids + 1] = m[1]
end
local key = claim_key(BASE, cid)
redis.call('HSET', key, 't', ARGV[6], 'c', NOW_TEXT, 'e', ARGV[7], 'm', table.concat(ids, ','))
redis.call('PEXPIRE', key, ARGV[11])
return #held

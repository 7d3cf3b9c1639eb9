-- Claim up to ARGV[12] free, live, non-delayed messages, oldest first, for
-- claim ARGV[5]; return their records ({} when none).
-- ARGV[6] claim ttl, [7] claim expires, [8] message expiry floor (claim end
-- + grace), [9] the matching message ttl, [10] its key lifetime in ms,
-- [11] the claim key's lifetime in ms, [13] key lifetime margin in ms.
-- The dead-letter policy (stored beside the metadata by Python, from
-- base.dead_letter_policy) is read here so the claim stays one round trip.
local cid, limit, margin = ARGV[5], tonumber(ARGV[12]), tonumber(ARGV[13])
local max_count, dlq, dlq_ttl
local policy = redis.call('HGET', POLICY, QUEUE)
if policy then max_count, dlq, dlq_ttl = unpack(cmsgpack.unpack(policy)) end

local function take(id, h)
  local key = message_key(BASE, id)
  redis.call('HSET', key, 'ci', cid, 'ce', ARGV[7])
  redis.call('HINCRBY', key, 'n', 1)
  extend(key, h, ARGV[8], ARGV[9], ARGV[10])
end

-- Move a message to the dead-letter queue of the same project, released,
-- its claim count reset and its ttl replaced by the DLQ ttl when set.
local function dead_letter(id)
  local base = queue_base(PROJECT, dlq)
  local old, new = message_key(BASE, id), message_key(base, id)
  redis.call('ZADD', QUEUES, 'NX', 0, dlq)
  redis.call('HSETNX', META, dlq, EMPTY_META)
  redis.call('RENAME', old, new)
  redis.call('HDEL', new, 'ci', 'ce')
  redis.call('HSET', new, 'n', 0)
  redis.call('ZREM', IDS, id)
  redis.call('ZADD', base .. ':ids', id, id)
  redis.call('ZREM', EXPIRY, old)
  local expires = redis.call('HGET', new, 'e')
  if dlq_ttl > 0 then
    expires = string.format('%.6f', NOW + dlq_ttl)
    redis.call('HSET', new, 't', dlq_ttl, 'e', expires)
    redis.call('PEXPIRE', new, string.format('%d', dlq_ttl * 1000 + margin))
  end
  redis.call('ZADD', EXPIRY, expires, new)
end

local claimed = {}
scan('0', function(id, h)
  if not exists(h) then
    -- The key outlived its margin before gc came: drop the index entry
    -- now rather than step over it on every claim.
    remove(BASE, id)
  elseif live(h) and not holder(h) and not delayed(h) then
    if max_count and tonumber(h[H.n]) >= max_count then
      dead_letter(id)
    else
      take(id, h)
      claimed[#claimed + 1] = id
    end
  end
  return #claimed >= limit
end)
if #claimed == 0 then return {} end

local key = claim_key(BASE, cid)
redis.call('HSET', key, 't', ARGV[6], 'c', NOW_TEXT, 'e', ARGV[7], 'm', table.concat(claimed, ','))
redis.call('PEXPIRE', key, ARGV[11])
local out = {}
for i, id in ipairs(claimed) do out[i] = record(id) end
return out

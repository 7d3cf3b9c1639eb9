-- Update live subscription ARGV[5]: subscriber ARGV[6], ttl ARGV[7],
-- options ARGV[8], confirmed ARGV[9] ('' leaves a field). Return 1, 0 when
-- it does not exist, -1 when the new subscriber has a live subscription.
local id, subscriber, ttl = ARGV[5], ARGV[6], ARGV[7]
local h = live_sub(id)
if not h then return 0 end
local key = sub_key(id)
if subscriber ~= '' and subscriber ~= h[1] then
  local other = redis.call('HGET', BY, subscriber)
  if other and live_sub(other) then return -1 end
  redis.call('HDEL', BY, h[1])
  redis.call('HSET', BY, subscriber, id)
  redis.call('HSET', key, 'u', subscriber)
end
if ttl ~= '' then
  redis.call('HSET', key, 't', ttl, 'e', NOW + tonumber(ttl))
  redis.call('EXPIRE', key, tonumber(ttl) + 60)
end
if ARGV[8] ~= '' then redis.call('HSET', key, 'o', ARGV[8]) end
if ARGV[9] ~= '' then redis.call('HSET', key, 'f', ARGV[9]) end
return 1

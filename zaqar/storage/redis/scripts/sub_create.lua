-- Subscribe ARGV[6] with id ARGV[5], ttl ARGV[7], options ARGV[8] and
-- confirmed ARGV[9]; return 1, or 0 when the subscriber has a live one.
local id, subscriber, ttl = ARGV[5], ARGV[6], tonumber(ARGV[7])
local existing = redis.call('HGET', BY, subscriber)
if existing and live_sub(existing) then return 0 end
local key = sub_key(id)
redis.call('HSET', key, 'u', subscriber, 't', ttl, 'e', NOW + ttl, 'o', ARGV[8], 'f', ARGV[9])
redis.call('EXPIRE', key, ttl + 60)
redis.call('ZADD', SUBS, redis.call('INCR', PREFIX .. ':subseq'), id)
redis.call('HSET', BY, subscriber, id)
return 1

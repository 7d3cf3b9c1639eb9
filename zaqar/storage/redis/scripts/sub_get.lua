-- The live subscription with id ARGV[5], or (ARGV[5] = '') of subscriber
-- ARGV[6]: {id, u, t, e, o, f}, or nil.
local id = ARGV[5]
if id == '' then id = redis.call('HGET', BY, ARGV[6]) end
if not id then return nil end
local h = live_sub(id)
if not h then return nil end
return sub_record(id, h)

-- {ttl, created, records...} of live claim ARGV[5], or nil when it is not
-- live or holds no live message any more.
local c, held = held_messages(ARGV[5])
if not c or #held == 0 then return false end
local out = {c[1], c[2]}
for _, m in ipairs(held) do out[#out + 1] = record(m[1]) end
return out

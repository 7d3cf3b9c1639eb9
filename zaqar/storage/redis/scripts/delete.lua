-- Delete message ARGV[5] if allowed: without a claim (ARGV[6] = '') when no
-- live claim holds it, else when claim ARGV[6] holds it. Return {0} when
-- missing or expired, {1} when deleted, {2, holder or false} when refused
-- (Python picks the error).
local id, claim = ARGV[5], ARGV[6]
local h = fetch(id)
if not live(h) then return {0} end
local held = holder(h)
if (claim == '' and not held) or (claim ~= '' and held == claim) then
  remove(BASE, id)
  return {1}
end
return {2, held or false}

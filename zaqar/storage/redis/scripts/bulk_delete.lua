-- Delete the named messages. ARGV[5] '1' when restricted to claims,
-- ARGV[6] the number of claim ids that follow, then the message ids.
-- Return how many went.
local restricted, m = ARGV[5] == '1', tonumber(ARGV[6])
local allowed = {}
for i = 7, 6 + m do allowed[ARGV[i]] = true end
local removed = 0
for i = 7 + m, #ARGV do
  local id = ARGV[i]
  local h = fetch(id)
  if exists(h) then
    local held = holder(h)
    if not restricted or (held and allowed[held]) then
      remove(BASE, id)
      removed = removed + 1
    end
  end
end
return removed

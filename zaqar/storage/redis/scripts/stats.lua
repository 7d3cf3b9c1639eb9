-- {total, claimed, oldest id, oldest created, newest id, newest created}
-- of the live messages; {0, 0} for none.
local total, claimed, oldest, newest = 0, 0, nil, nil
scan('0', function(id, h)
  if live(h) then
    total = total + 1
    if holder(h) then claimed = claimed + 1 end
    if not oldest then oldest = {id, h[H.c]} end
    newest = {id, h[H.c]}
  end
  return false
end)
if total == 0 then return {0, 0} end
return {total, claimed, oldest[1], oldest[2], newest[1], newest[2]}

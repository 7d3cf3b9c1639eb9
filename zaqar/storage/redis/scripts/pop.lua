-- Remove and return up to ARGV[5] live messages under no live claim,
-- oldest first.
local limit = tonumber(ARGV[5])
local popped = {}
scan('0', function(id, h)
  if live(h) and not holder(h) then
    popped[#popped + 1] = record(id)
    remove(BASE, id)
  end
  return #popped >= limit
end)
return popped

-- One page of messages after id ARGV[5] ('0' from the start), at most
-- ARGV[6]; ARGV[7] a client id to leave out ('' none); ARGV[8], ARGV[9]
-- '1' to include claimed, delayed messages.
local limit, hide = tonumber(ARGV[6]), ARGV[7]
local with_claimed, with_delayed = ARGV[8] == '1', ARGV[9] == '1'
local page = {}
scan(ARGV[5], function(id, h)
  if live(h) and (hide == '' or h[H.u] ~= hide)
      and (with_claimed or not holder(h)) and (with_delayed or not delayed(h)) then
    page[#page + 1] = record(id)
  end
  return #page >= limit
end)
return page

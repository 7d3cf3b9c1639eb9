-- Prepended to every script by scripts.py: the key layout and the helpers
-- the scripts share. keys.py mirrors the layout for plain commands.
--
-- ARGV[1..4] are always: key prefix, project, queue, now. ``now`` is float
-- seconds from the API process's clock (time.time()), so expiry, delays and
-- claims follow the same clock on every backend; scripts never read TIME.
local PREFIX, PROJECT, QUEUE, NOW_TEXT = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local NOW = tonumber(NOW_TEXT)

-- Length-prefixed names: a project or queue may hold any byte (':', '/'),
-- and no two (project, queue) pairs can still map to the same key.
local function enc(s) return #s .. ':' .. s end
local function project_key(project, what) return PREFIX .. ':p:' .. enc(project) .. ':' .. what end
local function queue_base(project, queue) return PREFIX .. ':q:' .. enc(project) .. enc(queue) end
local function message_key(base, id) return base .. ':m:' .. id end
local function claim_key(base, id) return base .. ':c:' .. id end

local QUEUES = project_key(PROJECT, 'queues')  -- zset: queue name -> 0 (lex order)
local META = project_key(PROJECT, 'meta')      -- hash: queue name -> msgpack metadata
local POLICY = project_key(PROJECT, 'dlq')     -- hash: queue name -> msgpack dead-letter policy
local BASE = queue_base(PROJECT, QUEUE)
local IDS = BASE .. ':ids'                     -- zset: message id -> id (FIFO order)
local SEQ = PREFIX .. ':seq'                   -- counter: message ids, unique per prefix
local EXPIRY = PREFIX .. ':expiry'             -- zset: message key -> expires (for gc)
local EMPTY_META = '\128'                      -- msgpack of {}
local SCAN_BATCH = 100

-- Message hash fields: b body (msgpack), t ttl, c created, e expires,
-- d delay until, u client id, k checksum, n claim count, ci/ce claim id and
-- claim expiry. Scans read the head (no body); record() adds the body.
local HEAD = {'t', 'c', 'e', 'd', 'u', 'k', 'n', 'ci', 'ce'}
local H = {t = 1, c = 2, e = 3, d = 4, u = 5, k = 6, n = 7, ci = 8, ce = 9}

local function fetch(id) return redis.call('HMGET', message_key(BASE, id), unpack(HEAD)) end
local function exists(h) return h[H.e] ~= false end
local function live(h) return h[H.e] ~= false and tonumber(h[H.e]) > NOW end
local function delayed(h) return tonumber(h[H.d]) > NOW end

-- The id of the live claim holding the message, else nil: an expired
-- claim leaves its fields behind but holds nothing.
local function holder(h)
  if h[H.ci] and h[H.ce] and tonumber(h[H.ce]) > NOW then return h[H.ci] end
  return nil
end

-- What Python's records.message() reads: id, body, then the head fields.
local function record(id)
  local h = redis.call('HMGET', message_key(BASE, id), 'b', unpack(HEAD))
  return {id, unpack(h)}
end

local function remove(base, id)
  local key = message_key(base, id)
  redis.call('DEL', key)
  redis.call('ZREM', base .. ':ids', id)
  redis.call('ZREM', EXPIRY, key)
end

-- Visit the queue's messages with ids above ``after``, oldest first, until
-- visit(id, head) returns true or the queue ends. The cursor is a score,
-- so visit() may remove what it has seen.
local function scan(after, visit)
  local cursor = '(' .. after
  while true do
    local ids = redis.call('ZRANGEBYSCORE', IDS, cursor, '+inf', 'LIMIT', 0, SCAN_BATCH)
    for _, id in ipairs(ids) do
      if visit(id, fetch(id)) then return end
    end
    if #ids < SCAN_BATCH then return end
    cursor = '(' .. ids[#ids]
  end
end

-- Make a claimed message outlive its claim by the grace period (base.py):
-- ``till`` = claim end + grace, ``ttl`` = claim ttl + grace, ``px`` the
-- key's new lifetime in ms.
local function extend(key, h, till, ttl, px)
  if tonumber(h[H.e]) < tonumber(till) then
    redis.call('HSET', key, 't', ttl, 'e', till)
    redis.call('PEXPIRE', key, px)
    redis.call('ZADD', EXPIRY, till, key)
  end
end

-- The live claim ``cid`` ({ttl, created, expires, ids}) and the live
-- messages it still holds ({id, head} pairs); nil when it is not live.
local function held_messages(cid)
  local c = redis.call('HMGET', claim_key(BASE, cid), 't', 'c', 'e', 'm')
  if not c[3] or tonumber(c[3]) <= NOW then return nil, {} end
  local held = {}
  for id in string.gmatch(c[4], '%d+') do
    local h = fetch(id)
    if live(h) and holder(h) == cid then held[#held + 1] = {id, h} end
  end
  return c, held
end

local function set_policy(policy)
  if policy == '' then
    redis.call('HDEL', POLICY, QUEUE)
  else
    redis.call('HSET', POLICY, QUEUE, policy)
  end
end

-- Every message and claim of the queue (purge and queue delete).
local function drop_messages()
  for _, id in ipairs(redis.call('ZRANGE', IDS, 0, -1)) do
    local key = message_key(BASE, id)
    local cid = redis.call('HGET', key, 'ci')
    if cid then redis.call('DEL', claim_key(BASE, cid)) end
    redis.call('DEL', key)
    redis.call('ZREM', EXPIRY, key)
  end
  redis.call('DEL', IDS)
end

-- Subscriptions of the queue: SUBS orders their ids by creation, BY maps a
-- subscriber to its id, and each is a hash (u subscriber, t ttl, e expires,
-- o msgpack options, f confirmed 0/1) whose key outlives ``e`` a little.
-- Entries of expired ones are dropped when met.
local SUBS = BASE .. ':subs'
local BY = BASE .. ':by'
local SUB_FIELDS = {'u', 't', 'e', 'o', 'f'}
local function sub_key(id) return BASE .. ':s:' .. id end

-- Remove subscription ``id`` (of ``subscriber``, when known) everywhere.
local function drop_sub(id, subscriber)
  if subscriber and redis.call('HGET', BY, subscriber) == id then redis.call('HDEL', BY, subscriber) end
  redis.call('DEL', sub_key(id))
  redis.call('ZREM', SUBS, id)
end

-- The fields of live subscription ``id``, else nil (cleaning up after it).
local function live_sub(id)
  local h = redis.call('HMGET', sub_key(id), unpack(SUB_FIELDS))
  if h[3] and tonumber(h[3]) > NOW then return h end
  drop_sub(id, h[1])
  return nil
end

local function sub_record(id, h) return {id, h[1], h[2], h[3], h[4], h[5]} end

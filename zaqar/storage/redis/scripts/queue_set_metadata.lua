-- Replace metadata (ARGV[5]) and dead-letter policy (ARGV[6]) together;
-- return 0 when the queue does not exist.
if not redis.call('ZSCORE', QUEUES, QUEUE) then return 0 end
redis.call('HSET', META, QUEUE, ARGV[5])
set_policy(ARGV[6])
return 1

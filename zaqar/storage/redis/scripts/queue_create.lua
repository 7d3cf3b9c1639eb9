-- Create the queue with metadata ARGV[5] and dead-letter policy ARGV[6]
-- ('' none); return 1, or 0 (untouched) when it exists.
if redis.call('ZADD', QUEUES, 'NX', 0, QUEUE) == 0 then return 0 end
redis.call('HSET', META, QUEUE, ARGV[5])
set_policy(ARGV[6])
return 1

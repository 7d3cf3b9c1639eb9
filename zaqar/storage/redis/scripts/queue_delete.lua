-- Delete the queue with its messages and claims.
drop_messages()
redis.call('ZREM', QUEUES, QUEUE)
redis.call('HDEL', META, QUEUE)
redis.call('HDEL', POLICY, QUEUE)
return 1

-- Delete every message and claim of the queue; keep the queue.
drop_messages()
return 1

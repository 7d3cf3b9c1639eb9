"""The WebSocket transport (api-v2.md section 9).

protocol.py  frames (JSON text, MessagePack binary) and the envelopes
schema.py    the shape each action's request must have
actions.py   the dispatch table: each action calls the service layer
errors.py    the one place where an exception becomes a status and a body
auth.py      Keystone tokens (through keystonemiddleware) and signed URLs
session.py   one connection's state and the path of each of its requests
push.py      the loop-back listener that turns notifications into frames
server.py    the asyncio server: connections, threads for blocking calls
driver.py    entry point ``websocket`` of namespace zaqar.transport
"""

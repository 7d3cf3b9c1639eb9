"""zaqar-bench: producer, consumer and observer load against a Zaqar server.

The hot path is a small HTTP/1.1 keep-alive client over plain sockets
(http.py) driven by threads, one set per process (engine.py), so that the
client costs tens of microseconds of CPU per request and a 2-core machine
can load a server running beside it. cli.py is the console script;
benchmarks/compare.py reuses the engine to compare servers side by side.
"""

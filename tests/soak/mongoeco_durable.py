"""A mongoeco server whose data survive a restart: its SQLite engine, on a file.

Run with the mongoeco interpreter (tests/mongodb/servers.py), never imported:

    .venv-mongoeco/bin/python tests/soak/mongoeco_durable.py --port P --path F

tests/mongodb's server keeps everything in memory, which a restart loses;
the soak test restarts its store and counts every message acknowledged
before, so it needs one that keeps them, as a real mongod does.
"""

import argparse
import asyncio
import signal

from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.wire.proxy import AsyncMongoEcoProxyServer


async def serve(port, path):
    server = AsyncMongoEcoProxyServer(engine=SQLiteEngine(path), host='127.0.0.1', port=port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await server.start()
    await stop.wait()
    await server.close()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--path', required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.path))

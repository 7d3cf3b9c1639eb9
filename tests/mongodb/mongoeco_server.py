"""Serve mongoeco's MongoDB wire protocol on a loopback port, until SIGTERM.

Run by the tests with the interpreter of the mongoeco virtual environment
(Python 3.13+, see tools/run-tests.sh), never imported by them:

    .venv-mongoeco/bin/python tests/mongodb/mongoeco_server.py --port 27017

The engine is in memory: stopping the process loses everything, as a
restarted test server should. mongoeco has no command-line entry point of
its own; this is the few lines its pytest plugin runs in a thread.
"""

import argparse
import asyncio
import signal

from mongoeco.engines.memory import MemoryEngine
from mongoeco.wire.proxy import AsyncMongoEcoProxyServer


async def serve(host, port):
    proxy = AsyncMongoEcoProxyServer(engine=MemoryEngine(), host=host, port=port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await proxy.start()
    print(f'mongoeco listening on {proxy.address.uri}', flush=True)
    await stop.wait()
    await proxy.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.port))


if __name__ == '__main__':
    main()

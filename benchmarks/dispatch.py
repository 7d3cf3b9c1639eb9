"""In-process cost of Pecan dispatch: microseconds per request, no network.

Calls the WSGI app directly with a prepared environ, for routes that do no
storage work (HEAD /v2/ping: routing, hooks, policy check; GET /v2/: the
home document), and prints one JSON document:

* ``pecan``: the Pecan app alone (routing, hooks, controller, response);
* ``stack``: the whole middleware chain of the WSGI driver around it;
* ``harness``: the same loop around a WSGI app that does nothing, already
  subtracted from the two figures above.

``--stock`` builds the same controllers and hooks into Pecan as released
(its own routing walk and per-request dispatch, not lean_pecan's), for a
before/after figure. Run:

    .venv/bin/python benchmarks/dispatch.py [--stock] [--calls 20000]
"""

import argparse
import io
import json
import tempfile
import time
import types
import uuid

ROUTES = (('HEAD', '/v2/ping'), ('GET', '/v2/'))


def environ_for(method, path):
    return {'REQUEST_METHOD': method, 'PATH_INFO': path, 'SCRIPT_NAME': '',
            'QUERY_STRING': '', 'SERVER_NAME': '127.0.0.1', 'SERVER_PORT': '8888',
            'SERVER_PROTOCOL': 'HTTP/1.1', 'wsgi.url_scheme': 'http',
            'wsgi.errors': io.StringIO(), 'wsgi.multithread': True,
            'wsgi.multiprocess': True, 'wsgi.run_once': False,
            'HTTP_HOST': '127.0.0.1:8888', 'HTTP_CLIENT_ID': str(uuid.uuid4()),
            'HTTP_X_PROJECT_ID': 'dispatch-bench', 'HTTP_ACCEPT': 'application/json'}


def per_call_us(app, template, calls, repeats):
    """The lowest, over ``repeats`` batches, of the mean CPU time of one
    call, in us: CPU time and the best batch, because other processes on a
    shared machine only ever add to the figure."""
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    def once():
        environ = dict(template)
        environ['wsgi.input'] = io.BytesIO(b'')
        body = app(environ, start_response)
        for _ in body:
            pass
        close = getattr(body, 'close', None)
        if close:
            close()

    for _ in range(min(calls, 2000)):
        once()
    runs = []
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(calls):
            once()
        runs.append((time.process_time() - start) / calls * 1e6)
    return min(runs), statuses[-1]


def nothing(environ, start_response):
    start_response('204 No Content', [])
    return []


def build(stock, state):
    from zaqar import conf as zaqar_conf
    from zaqar.transport.wsgi import driver as wsgi_driver

    if stock:
        import pecan

        wsgi_driver.lean_pecan = types.SimpleNamespace(Pecan=pecan.Pecan)
    conf = zaqar_conf.new(args=[])
    conf.set_override('state_path', state)
    conf.set_override('message_store', 'sqlalchemy', group='drivers')
    conf.set_override('uri', f'sqlite:///{state}/dispatch.sqlite',
                      group='drivers:message_store:sqlalchemy')
    from zaqar import bootstrap

    boot = bootstrap.Bootstrap(conf)
    stack = boot.transport.app
    pecan_app = wsgi_driver.build_pecan_app(conf, boot.service)
    return stack, pecan_app


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--stock', action='store_true')
    parser.add_argument('--calls', type=int, default=20000)
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state:
        stack, pecan_app = build(args.stock, state)
        result = {'lean_pecan': not args.stock, 'routes': {}}
        for method, path in ROUTES:
            template = environ_for(method, path)
            harness, _ = per_call_us(nothing, template, args.calls, args.repeats)
            pecan_us, status = per_call_us(pecan_app, template, args.calls, args.repeats)
            stack_us, _ = per_call_us(stack, template, args.calls, args.repeats)
            result['routes'][f'{method} {path}'] = {
                'status': status, 'harness_us': harness,
                'pecan_us': pecan_us - harness, 'stack_us': stack_us - harness}
    print(json.dumps(result, indent=2))


if __name__ == '__main__':
    main()

"""Side by side: this Zaqar, upstream Zaqar 23.0.1 and a one-round-trip
ceiling, under the same WSGI server, on the same Redis, in one run.

Steps (each printed as it goes, on stderr):

1. upstream Zaqar 23.0.1 is installed from PyPI into its own virtualenv
   (.venv-upstream, made once; reused while it holds that version);
2. a redis-server of our own (or --redis-url, where only the db numbers
   4, 5 and 6 are used and flushed) backs three targets under the same
   WSGI server (--server: uWSGI by default, as upstream's devstack
   deploys Zaqar, installed into each virtualenv the first time; or
   gunicorn's gthread worker) with the same worker processes and threads:
   ours (zaqar.transport.wsgi.app:application), upstream
   (zaqar.transport.wsgi.app:app) and the ceiling (ceiling_app.py);
3. rounds, the order of the targets rotating each round: single-message
   posts for --seconds, then (Zaqar targets) a consumer cycle -- claim 10,
   delete them by ids -- for --seconds on a queue filled beforehand;
4. our server at half its median post rate, for latency without queueing;
5. our server on each store (SQLite, PostgreSQL, Redis, and MongoDB where
   the driver and a server are there);
6. a soak: our server under mixed load for --soak-seconds, the RSS of its
   workers sampled throughout;
7. Pecan dispatch in-process (benchmarks/dispatch.py), with and without
   our speed-ups.

The load is zaqar-bench's engine (zaqar/bench/). Run from the repository:

    benchmarks/compare.sh --quick        # about 5 minutes
    benchmarks/compare.sh                # 5 rounds x 10 s, 10 min soak: ~30 min
"""

import argparse
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import bench_servers as servers
import compare_report as report

from zaqar.bench import config, engine, http

HERE = pathlib.Path(__file__).resolve().parent
DBS = {'ours': 4, 'upstream': 5, 'ceiling': 6}
QUEUES = 4


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true',
                        help='3 rounds of 4 s, 1 round per store, 60 s soak')
    parser.add_argument('--rounds', type=int)
    parser.add_argument('--seconds', type=float, help='length of each measured phase')
    parser.add_argument('--store-rounds', type=int)
    parser.add_argument('--soak-seconds', type=float)
    parser.add_argument('--server', choices=sorted(servers.SERVERS), default='uwsgi',
                        help='the WSGI server of every target (default: uwsgi, as upstream '
                             'deploys Zaqar)')
    parser.add_argument('--workers', type=int, default=2, help='worker processes (all targets)')
    parser.add_argument('--threads', type=int, default=4, help='threads per worker process')
    parser.add_argument('--clients', type=int, default=8,
                        help='concurrent client workers (threads of one process)')
    parser.add_argument('--stores', default='sqlite,postgresql,redis,mongodb')
    parser.add_argument('--postgresql-url', default='postgresql://postgres@127.0.0.1:5432/postgres')
    parser.add_argument('--redis-url', help='an existing Redis (dbs 4-6 get flushed)')
    parser.add_argument('--upstream-venv', default=str(servers.ROOT / '.venv-upstream'))
    parser.add_argument('--json-out', help='also write every figure to this file')
    parser.add_argument('--keep', action='store_true', help='keep the work directory (logs)')
    args = parser.parse_args(argv)
    quick = args.quick
    for name, full, short in (('rounds', 5, 3), ('seconds', 10.0, 4.0),
                              ('store_rounds', 3, 1), ('soak_seconds', 600.0, 60.0)):
        if getattr(args, name) is None:
            setattr(args, name, short if quick else full)
    return args


def note(text):
    print(text, file=sys.stderr, flush=True)


def bench(target, seconds, clients, role, rate=0.0):
    """One zaqar-bench run of ``role`` against ``target``; its role summary,
    with the CPU time the target's workers spent per request: unlike
    throughput, that figure hardly moves when other work shares the CPUs."""
    argv = ['-s', target.url, '-t', str(seconds), '-q', 'cmp', '-qno', str(QUEUES),
            '--skip_queue_reset', '--no-progress', '-cno', '10',
            '-pw', '0', '-cw', '0', '-ow', '0', f'--{role}_rate', str(rate),
            f'--{role}_workers', str(clients)]
    before = target.cpu_seconds()
    summary = engine.run(config.parse_args(argv))
    result = summary[role]
    result['server_cpu_us_per_req'] = (1e6 * (target.cpu_seconds() - before)
                                       / max(result['total_reqs'], 1))
    return result


def prefill(url, messages, clients):
    """Post ``messages`` messages (10 per request) over the QUEUES queues."""
    body = json.dumps({'messages': [{'ttl': 3600, 'body': {'evt': 'prefill', 'n': i}}
                                    for i in range(10)]}).encode()
    requests = -(-messages // 10)
    counter = iter(range(requests))
    lock, errors = threading.Lock(), []

    def work():
        args = config.parse_args(['-s', url])
        conn = http.Connection(http.Target(url), config.request_headers(args))
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return conn.close()
            response = conn.request('POST', f'/v2/queues/cmp-{index % QUEUES}/messages', body)
            if response.status != 201:
                errors.append(response.status)
    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f'prefill failed: HTTP {errors[:5]}')


class Runner:
    def __init__(self, args, workdir):
        self.args, self.workdir = args, workdir
        self.results = {'params': {k: v for k, v in vars(args).items()},
                        'rounds': [], 'stores': {}, 'machine': report.machine()}
        self._started = []

    def start(self, name, venv, app, env=None, pythonpath=None):
        if self.args.server == 'uwsgi':
            servers.ensure_uwsgi(venv, pathlib.Path(self.workdir) / 'pip-uwsgi.log')
        target = servers.SERVERS[self.args.server](
            name, venv, app, self.workdir, self.args.workers, self.args.threads, env, pythonpath)
        self._started.append(target)
        # Unmeasured load first: imports, caches, scripts and connections
        # of every worker are then in place before any figure is taken.
        bench(target, min(3.0, self.args.seconds), self.args.clients, 'producer')
        return target

    def close(self):
        for target in reversed(self._started):
            target.close()

    def our_server(self, name, store, uri, extra=''):
        conf = servers.write_ours_config(self.workdir, name, store, uri, extra)
        return self.start(name, sys.prefix, 'zaqar.transport.wsgi.app:application',
                          env={'ZAQAR_CONFIG_FILE': str(conf)})

    def cycle(self, target, flush, expected_rate):
        """Fill the queues, then time the consumer cycle; the fill is sized
        so the queues do not run dry within the phase."""
        flush()
        prefill(target.url, int(min(max(expected_rate, 500) * self.args.seconds * 2, 400_000)),
                self.args.clients)
        result = bench(target, self.args.seconds, self.args.clients, 'consumer')
        if result['empty_claims']:
            note(f'  warning: {result["empty_claims"]} empty claims (queues ran dry)')
        return result


def rounds(runner, redis, targets):
    args = runner.args
    names = list(targets)
    consumer_rate = dict.fromkeys(names, 0.0)
    for number in range(args.rounds):
        order = names[number % len(names):] + names[:number % len(names)]
        row = {}
        for name in order:
            redis.flush(DBS[name])
            post = bench(targets[name], args.seconds, args.clients, 'producer')
            row[name] = {'post': post}
            line = f'round {number + 1}/{args.rounds} {name:<8} post {post["msgs_per_sec"]:7.0f}/s'
            if name != 'ceiling':
                guess = consumer_rate[name] or 5 * post['msgs_per_sec']
                cycle = runner.cycle(targets[name], lambda n=name: redis.flush(DBS[n]), guess)
                consumer_rate[name] = max(consumer_rate[name], cycle['msgs_per_sec'])
                row[name]['cycle'] = cycle
                line += f'  claim+delete {cycle["msgs_per_sec"]:7.0f} msgs/s'
            note(line)
        runner.results['rounds'].append(row)


def half_max(runner, targets):
    """Ours at half its median post rate; the ceiling at the same rate, as
    the machine's own latency spread under that load. Four times the usual
    client threads, so that a slow answer does not hold back the schedule."""
    args = runner.args
    posts = [r['ours']['post']['msgs_per_sec'] for r in runner.results['rounds']]
    rate = report.median(posts) / 2
    runs = {'ours': [], 'ceiling': []}
    for number in range(args.rounds):
        for name in runs:
            result = bench(targets[name], args.seconds, 4 * args.clients, 'producer',
                           rate=rate)
            runs[name].append(result)
            lat = result['latency_ms']['post']
            note(f'half max {number + 1}/{args.rounds} {name:<8} {result["reqs_per_sec"]:.0f}/s '
                 f'(asked {rate:.0f}/s) p50 {lat["p50"]:.2f} ms p99 {lat["p99"]:.2f} ms')
    runner.results['half_max'] = {'rate': rate, 'runs': runs['ours'],
                                  'ceiling_runs': runs['ceiling']}


def stores(runner, redis_uri):
    args = runner.args
    wanted = [s.strip() for s in args.stores.split(',') if s.strip()]
    for store in wanted:
        try:
            runner.results['stores'][store] = store_rounds(runner, store, redis_uri)
        except Exception as exc:  # noqa: BLE001 - one store missing must not lose the rest
            note(f'store {store}: skipped ({type(exc).__name__}: {exc})')
            runner.results['stores'][store] = {'skipped': f'{type(exc).__name__}: {exc}'}


def store_rounds(runner, store, redis_uri):
    args = runner.args
    cleanup = None
    extra = ''
    if store == 'sqlite':
        driver, uri = 'sqlalchemy', f'sqlite:///{runner.workdir}/bench.sqlite'
    elif store == 'postgresql':
        database = servers.PostgresDatabase(args.postgresql_url)
        driver, uri, cleanup = 'sqlalchemy', database.uri, database.close
    elif store == 'redis':
        driver, uri = 'redis', redis_uri
    elif store == 'mongodb':
        if not (servers.ROOT / 'zaqar' / 'storage' / 'mongodb' / 'driver.py').exists():
            raise RuntimeError('no MongoDB driver in zaqar/storage/mongodb')
        mongo = servers.Mongoeco.start(runner.workdir)
        if mongo is None:
            raise RuntimeError('no MongoDB server: .venv-mongoeco is not there')
        driver, uri, cleanup = 'mongodb', mongo.uri, mongo.close
        extra = 'unreliable = true\n'
    else:
        raise RuntimeError(f'unknown store {store!r}')
    try:
        target = runner.our_server(f'store-{store}', driver, uri, extra)
        results, rate = [], 0.0
        for number in range(args.store_rounds):
            post = bench(target, args.seconds, args.clients, 'producer')
            cycle = runner.cycle(target, lambda: _drain(target.url),
                                 rate or 5 * post['msgs_per_sec'])
            rate = max(rate, cycle['msgs_per_sec'])
            results.append({'post': post, 'cycle': cycle})
            note(f'store {store} {number + 1}/{args.store_rounds}: post '
                 f'{post["msgs_per_sec"]:.0f}/s claim+delete {cycle["msgs_per_sec"]:.0f} msgs/s')
        target.close()
        return {'rounds': results}
    finally:
        if cleanup:
            cleanup()


def _drain(url):
    """Delete the benchmark queues through the API (stores we cannot flush)."""
    args = config.parse_args(['-s', url, '-q', 'cmp', '-qno', str(QUEUES)])
    engine.reset_queues(args)


def soak(runner, redis):
    args = runner.args
    redis.flush(7)
    target = runner.our_server('soak', 'redis', f'{redis.url}?dbid=7')
    samples, stop = [], threading.Event()
    half = max(1, args.clients // 2)
    warm = min(30.0, args.soak_seconds / 10)

    def sample():
        start = time.monotonic()
        while not stop.wait(min(10.0, args.soak_seconds / 20)):
            samples.append((time.monotonic() - start, target.worker_rss_kib()))
    argv = ['-s', target.url, '-t', str(warm), '-q', 'cmp', '-qno', str(QUEUES),
            '--no-progress', '-cno', '10', '-pw', str(half), '-cw', str(half), '-ow', '0']
    engine.run(config.parse_args(argv))  # warm-up: caches, connections, scripts
    samples.append((0.0, target.worker_rss_kib()))
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    argv[3] = str(args.soak_seconds)
    note(f'soak: {args.soak_seconds:.0f} s of mixed load on our server (Redis)')
    summary = engine.run(config.parse_args(argv + ['--skip_queue_reset']))
    stop.set()
    sampler.join()
    samples.append((args.soak_seconds, target.worker_rss_kib()))
    target.close()
    runner.results['soak'] = {'seconds': args.soak_seconds, 'warmup_seconds': warm,
                              'samples': samples, 'producer': summary['producer'],
                              'consumer': summary['consumer']}


def dispatch(runner):
    script = HERE / 'dispatch.py'
    figures = {}
    for label, extra in (('ours', []), ('stock', ['--stock'])):
        out = subprocess.run([sys.executable, str(script), *extra], check=True,
                             capture_output=True, text=True)
        figures[label] = json.loads(out.stdout)
    runner.results['dispatch'] = figures


def run(args, workdir):
    upstream_venv = servers.ensure_upstream_venv(args.upstream_venv,
                                                 pathlib.Path(workdir) / 'pip-upstream.log')
    redis = servers.Redis(workdir, args.redis_url)
    runner = Runner(args, workdir)
    try:
        note(f'redis {redis.url}; logs in {workdir}')
        targets = {
            'ours': runner.our_server('ours', 'redis', f'{redis.url}?dbid={DBS["ours"]}'),
            'upstream': runner.start(
                'upstream', upstream_venv, 'zaqar.transport.wsgi.app:app',
                env={'HOME': str(servers.write_upstream_home(
                    workdir, f'{redis.url}?dbid={DBS["upstream"]}'))}),
            'ceiling': runner.start(
                'ceiling', sys.prefix, 'ceiling_app:application', pythonpath=HERE,
                env={'CEILING_REDIS_URL': f'{redis.url}/{DBS["ceiling"]}'}),
        }
        rounds(runner, redis, targets)
        half_max(runner, targets)
        for target in targets.values():
            target.close()
        stores(runner, f'{redis.url}?dbid={DBS["ours"]}')
        if args.soak_seconds > 0:
            soak(runner, redis)
        note('pecan dispatch, in-process')
        dispatch(runner)
        runner.results['machine']['loadavg_at_end'] = os.getloadavg()[0]
    finally:
        runner.close()
        for db in (*DBS.values(), 7):
            redis.flush(db)
        redis.close()
    return runner.results


def main(argv=None):
    args = parse_args(argv)
    # A terminated run still stops the servers it started (finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = tempfile.mkdtemp(prefix='zaqar-compare-')
    try:
        results = run(args, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json_out:
        pathlib.Path(args.json_out).write_text(servers.dumps(results))
    print(report.render(results))


if __name__ == '__main__':
    main()

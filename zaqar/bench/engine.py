"""Processes and threads of a run, the common start, progress and results.

Every role gets ``processes`` forked processes of ``workers`` threads; each
thread has its own keep-alive connection (its own Client-ID) and Recorder.
All workers start together once every connection is open, and stop at the
same deadline. A process reports its threads' merged result with its own
CPU time (getrusage), so the summary can state the client's CPU per request.
"""

import multiprocessing
import random
import resource
import sys
import threading
import time

from zaqar.bench import config, http, roles, stats


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pace(interval, rng):
    """A generator of sleeps for one worker making a request every
    ``interval`` seconds (no sleeps when 0). A worker that fell behind by
    more than one interval starts afresh instead of bursting to catch up."""
    if not interval:
        while True:
            yield 0.0
    next_at = time.monotonic() + rng.random() * interval
    while True:
        now = time.monotonic()
        if next_at < now - interval:
            next_at = now
        yield max(0.0, next_at - now)
        next_at += interval


def _worker(step, conn, rec, deadline, interval, failures):
    rng = random.Random()
    sleeps = pace(interval, rng)
    try:
        while time.monotonic() < deadline:
            wait = next(sleeps)
            if wait:
                if time.monotonic() + wait >= deadline:
                    break
                time.sleep(wait)
            step(conn, rec)
    except Exception as exc:  # noqa: BLE001 - reported, and the worker stops
        failures.append(f'{type(exc).__name__}: {exc}')
    finally:
        conn.close()


def _process_main(role, args, slots, shared, results):
    """Body of one forked process: open the connections, wait for the
    start, run the threads, send back the merged result."""
    target = http.Target(args.server_url)
    behaviour = roles.ROLE_CLASSES[role](args)
    workers = []
    for slot in slots:
        conn = http.Connection(target, config.request_headers(args))
        workers.append((conn, roles.Recorder(shared['progress'], slot)))
    total_workers = getattr(args, f'{role}_processes') * getattr(args, f'{role}_workers')
    rate = getattr(args, f'{role}_rate')
    interval = total_workers / rate if rate else 0.0
    failures = []
    shared['ready'].wait()
    shared['go'].wait()
    cpu_start = _cpu_seconds()
    deadline = shared['start'].value + args.time
    threads = [threading.Thread(target=_worker, daemon=True,
                                args=(behaviour.step, conn, rec, deadline, interval, failures))
               for conn, rec in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = roles.merge(rec.result() for _, rec in workers)
    result['cpu'] = _cpu_seconds() - cpu_start
    result['failures'] = failures
    results.put((role, result, time.monotonic()))


def reset_queues(args):
    """Delete the run's queues, as upstream's tool does before a run."""
    conn = http.Connection(http.Target(args.server_url), config.request_headers(args))
    try:
        for name in config.queue_names(args):
            response = conn.request('DELETE', f'/v2/queues/{name}')
            if response.status not in (204, 404):
                raise http.HTTPError(f'DELETE queue {name}: HTTP {response.status}')
    finally:
        conn.close()


class Progress:
    """Prints requests/s per role about once a second on ``stream``."""

    def __init__(self, counters, layout, duration, stream):
        self._counters, self._layout = counters, layout
        self._duration, self._stream = duration, stream
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._end = '\r' if getattr(stream, 'isatty', lambda: False)() else '\n'

    def start(self, start):
        self._start = start
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join()
        if self._end == '\r':
            self._stream.write('\n')

    def _totals(self):
        return {role: sum(self._counters[s] for s in slots)
                for role, slots in self._layout.items()}

    def _run(self):
        before, then = self._totals(), time.monotonic()
        while not self._stop.wait(1.0):
            now, totals = time.monotonic(), self._totals()
            rates = '  '.join(f'{role} {(totals[role] - before[role]) / (now - then):7.0f} req/s'
                              for role in self._layout)
            elapsed = min(now - self._start, self._duration)
            self._stream.write(f'[{elapsed:5.1f}/{self._duration:.0f} s] {rates}{self._end}')
            self._stream.flush()
            before, then = totals, now


def run(args, progress=None):
    """Run every enabled role of ``args``; return the summary dict.
    ``progress`` is a stream for the progress line (None: no progress)."""
    if not args.skip_queue_reset:
        reset_queues(args)
    ctx = multiprocessing.get_context('fork')
    enabled = [role for role in config.ROLES if config.role_enabled(args, role)]
    layout, next_slot = {}, 0
    for role in enabled:
        count = getattr(args, f'{role}_processes') * getattr(args, f'{role}_workers')
        layout[role] = range(next_slot, next_slot + count)
        next_slot += count
    processes_total = sum(getattr(args, f'{role}_processes') for role in enabled)
    shared = {'progress': ctx.RawArray('q', max(next_slot, 1)), 'go': ctx.Event(),
              'ready': ctx.Barrier(processes_total + 1), 'start': ctx.RawValue('d', 0.0)}
    results = ctx.Queue()
    procs = []
    for role in enabled:
        per_process = getattr(args, f'{role}_workers')
        for index in range(getattr(args, f'{role}_processes')):
            slots = layout[role][index * per_process:(index + 1) * per_process]
            procs.append(ctx.Process(target=_process_main, daemon=True,
                                     args=(role, args, slots, shared, results)))
    for proc in procs:
        proc.start()
    return _collect(args, procs, shared, results, layout, progress)


def _collect(args, procs, shared, results, layout, progress):
    shared['ready'].wait(timeout=60)
    shared['start'].value = start = time.monotonic()
    shared['go'].set()
    printer = None
    if progress is not None:
        printer = Progress(shared['progress'], layout, args.time, progress)
        printer.start(start)
    parts, ends = {role: [] for role in layout}, {role: start for role in layout}
    try:
        for _ in procs:
            role, result, end = results.get(timeout=args.time + 120)
            parts[role].append(result)
            ends[role] = max(ends[role], end)
    finally:
        if printer:
            printer.stop()
        for proc in procs:
            proc.join(timeout=10)
    return summarise(args, parts, {role: ends[role] - start for role in layout})


def summarise(args, parts, elapsed):
    summary = {'params': {k: v for k, v in vars(args).items() if k != 'os_auth_token'}}
    failures, cpu, requests = [], 0.0, 0
    for role in config.ROLES:
        if role in parts:
            summary[role] = stats.role_summary(role, parts[role], elapsed[role])
            failures += [f for part in parts[role] for f in part.get('failures', ())]
            cpu += summary[role]['client_cpu_sec']
            requests += summary[role]['total_reqs']
        else:
            summary[role] = stats.empty_summary(role)
    summary['client'] = {'cpu_sec': cpu,
                         'cpu_us_per_req': 1e6 * cpu / requests if requests else None,
                         'worker_failures': failures}
    return summary


def main_run(args):
    """Run, then print the summary (JSON or text) on stdout."""
    import json

    summary = run(args, progress=sys.stderr if args.progress else None)
    if args.json:
        print(json.dumps(summary, indent=2, sort_keys=True))
    else:
        print(stats.format_text(summary))
        client = summary['client']
        if client['cpu_us_per_req'] is not None:
            print(f'client CPU: {client["cpu_sec"]:.2f} s, '
                  f'{client["cpu_us_per_req"]:.0f} us per request')
        for failure in client['worker_failures']:
            print(f'worker stopped: {failure}')
    return summary

"""The tables compare.py prints: medians with the min-max of the rounds,
paired ratios (ours / other within the same round), and the issue's targets."""

import os
import platform
import statistics
from importlib import metadata

SERVER_NAMES = {'gunicorn': 'gunicorn gthread', 'uwsgi': 'uWSGI (HTTP router, keep-alive)'}


def median(values):
    return statistics.median(values)


def machine():
    model = ''
    try:
        with open('/proc/cpuinfo') as handle:
            model = next((line.split(':', 1)[1].strip() for line in handle
                          if line.startswith('model name')), '')
    except OSError:
        pass
    return {'cpus': os.cpu_count(), 'cpu_model': model, 'python': platform.python_version(),
            'loadavg_at_start': os.getloadavg()[0],
            'gunicorn': _version('gunicorn'), 'uwsgi': _version('uwsgi'),
            'pecan': _version('pecan')}


def _version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def spread(values, digits=0, unit=''):
    """'median (min–max)'."""
    if not values:
        return '—'
    return (f'{median(values):.{digits}f}{unit} '
            f'({min(values):.{digits}f}–{max(values):.{digits}f})')


def _lat(results, key):
    return [r['latency_ms'][key] for r in results if r['latency_ms'].get(key, {}).get('count')]


def _pair(rows, phase, num, den, field='msgs_per_sec'):
    return [row[num][phase][field] / row[den][phase][field] for row in rows
            if phase in row.get(num, {}) and phase in row.get(den, {})
            and row[den][phase][field]]


def _cell(rows, name, phase, field='msgs_per_sec'):
    return [row[name][phase][field] for row in rows if phase in row.get(name, {})]


def _lat_cell(rows, name, phase, kind):
    lats = _lat([row[name][phase] for row in rows if phase in row.get(name, {})], kind)
    if not lats:
        return '—'
    return f'{median([x["p50"] for x in lats]):.1f} / {median([x["p99"] for x in lats]):.1f}'


def _per_message(rows, name):
    """Server CPU per message consumed: per request x requests / messages."""
    return [c['server_cpu_us_per_req'] * c['total_reqs'] / c['messages']
            for c in (row[name]['cycle'] for row in rows if 'cycle' in row.get(name, {}))
            if c.get('messages') and 'server_cpu_us_per_req' in c]


def _cpu_msg_ratio(rows):
    pairs = [(_per_message([row], 'upstream'), _per_message([row], 'ours')) for row in rows]
    return [up[0] / ours[0] for up, ours in pairs if up and ours]


def main_table(results):
    rows, p = results['rounds'], results['params']
    names = ('ours', 'upstream', 'ceiling')
    out = ['| measure | ours | upstream 23.0.1 | ceiling | ours / upstream | ours / ceiling |',
           '|---|---|---|---|---|---|']
    of_ceiling = [100 * x for x in _pair(rows, 'post', 'ours', 'ceiling', 'reqs_per_sec')]
    out.append('| post 1 message, msgs/s | ' + ' | '.join(
        spread(_cell(rows, n, 'post')) for n in names)
        + f' | {spread(_pair(rows, "post", "ours", "upstream"), 2, "x")}'
        f' | {spread(of_ceiling, 0, "%")} |')
    out.append('| post latency p50 / p99, ms | ' + ' | '.join(
        _lat_cell(rows, n, 'post', 'post') for n in names) + ' | | |')
    out.append('| claim 10 + delete by ids, msgs/s | ' + ' | '.join(
        spread(_cell(rows, n, 'cycle')) for n in names[:2])
        + f' | — | {spread(_pair(rows, "cycle", "ours", "upstream"), 2, "x")} | |')
    out.append('| cycle latency p50 / p99, ms | ' + ' | '.join(
        _lat_cell(rows, n, 'cycle', 'cycle') for n in names[:2]) + ' | — | | |')
    cpu = 'server_cpu_us_per_req'
    out.append('| server CPU, µs per post (all workers) | ' + ' | '.join(
        spread(_cell(rows, n, 'post', cpu)) for n in names)
        + f' | {spread(_pair(rows, "post", "upstream", "ours", cpu), 2, "x less")} | |')
    out.append('| server CPU, µs per message (claim+delete) | ' + ' | '.join(
        spread(_per_message(rows, n)) for n in names[:2])
        + f' | — | {spread(_cpu_msg_ratio(rows), 2, "x less")} | |')
    out.append('| client CPU, µs per request (post) | ' + ' | '.join(
        spread(_cell(rows, n, 'post', 'client_cpu_us_per_req')) for n in names) + ' | | |')
    head = (f'{len(rows)} rounds x {p["seconds"]:.0f} s per phase, target order rotating; '
            f'{SERVER_NAMES[p.get("server", "gunicorn")]} {p["workers"]} worker processes '
            f'x {p["threads"]} threads for every '
            f'target; {p["clients"]} client threads; one Redis')
    return head, out


def half_max_table(results):
    half = results.get('half_max')
    if not half:
        return []
    out = [f'At half our median post rate ({half["rate"]:.0f} requests/s asked), '
           f'{4 * results["params"]["clients"]} client threads; the ceiling at the same rate '
           'shows what the machine alone adds:', '',
           '| target | served, requests/s | p50 ms | p99 ms | p99 / p50 |', '|---|---|---|---|---|']
    for name, key in (('ours', 'runs'), ('ceiling', 'ceiling_runs')):
        runs = half.get(key, [])
        if not runs:
            continue
        lats = [r['latency_ms']['post'] for r in runs]
        out.append(f'| {name} | {spread([r["reqs_per_sec"] for r in runs])} '
                   f'| {spread([x["p50"] for x in lats], 2)} '
                   f'| {spread([x["p99"] for x in lats], 2)} '
                   f'| {spread([x["p99"] / x["p50"] for x in lats], 1, "x")} |')
    return out


def stores_table(results):
    out = ['| store (our server) | post 1 msg, msgs/s | post p50 / p99 ms '
           '| claim 10 + delete, msgs/s | cycle p50 / p99 ms |', '|---|---|---|---|---|']
    for store, data in results.get('stores', {}).items():
        if 'skipped' in data:
            out.append(f'| {store} | skipped: {data["skipped"]} | | | |')
            continue
        rows = data['rounds']
        post, cycle = [r['post'] for r in rows], [r['cycle'] for r in rows]
        cell = lambda rs, k: (f'{median([x["p50"] for x in _lat(rs, k)]):.1f} / '  # noqa: E731
                              f'{median([x["p99"] for x in _lat(rs, k)]):.1f}')
        out.append(f'| {store} | {spread([r["msgs_per_sec"] for r in post])} '
                   f'| {cell(post, "post")} | {spread([r["msgs_per_sec"] for r in cycle])} '
                   f'| {cell(cycle, "cycle")} |')
    return out


def dispatch_table(results):
    figures = results.get('dispatch')
    if not figures:
        return []
    out = ['| route, in-process | stock Pecan 1.8: Pecan app | ours: Pecan app '
           '| ours: whole middleware stack |', '|---|---|---|---|']
    for route, ours in figures['ours']['routes'].items():
        stock = figures['stock']['routes'][route]
        out.append(f'| {route} | {stock["pecan_us"]:.1f} µs | {ours["pecan_us"]:.1f} µs '
                   f'| {ours["stack_us"]:.1f} µs |')
    return out


def rss_growth(soak):
    """(first, last, peak) total worker RSS in KiB, and the growth in %."""
    totals = [sum(sizes.values()) for _, sizes in soak['samples']]
    return totals[0], totals[-1], max(totals), 100 * (totals[-1] - totals[0]) / totals[0]


def memory(results):
    soak = results.get('soak')
    if not soak:
        return []
    start, end, peak, growth = rss_growth(soak)
    workers = len(soak['samples'][0][1])
    return [f'Soak: {soak["seconds"]:.0f} s of mixed load (producers + consumers, '
            f'{soak["producer"]["total_reqs"] + soak["consumer"]["total_reqs"]} requests) '
            f'after {soak["warmup_seconds"]:.0f} s of warm-up: RSS of our '
            f'{workers} workers {start / 1024:.1f} MiB -> {end / 1024:.1f} MiB '
            f'(peak {peak / 1024:.1f} MiB), growth {growth:+.1f}%']


def targets(results):
    rows = results['rounds']
    checks = []

    def check(name, values, goal, met, fmt):
        if not values:
            checks.append(f'- {name}: not measured in this run (goal {goal})')
            return
        figure = median(values)
        checks.append(f'- {name}: {fmt(figure)} -> {"met" if met(figure) else "NOT met"}'
                      f' (goal {goal})')
    check('post, ours / upstream msgs/s', _pair(rows, 'post', 'ours', 'upstream'), '>= 3x',
          lambda x: x >= 3, lambda x: f'{x:.2f}x')
    check('consumer cycle, ours / upstream msgs/s', _pair(rows, 'cycle', 'ours', 'upstream'),
          '>= 3x', lambda x: x >= 3, lambda x: f'{x:.2f}x')
    check('post, ours / ceiling requests/s',
          _pair(rows, 'post', 'ours', 'ceiling', 'reqs_per_sec'), '>= 50%',
          lambda x: x >= 0.5, lambda x: f'{100 * x:.0f}%')
    half = results.get('half_max', {}).get('runs', [])
    check('p99 / p50 at half the max post rate',
          [r['latency_ms']['post']['p99'] / r['latency_ms']['post']['p50'] for r in half],
          '<= 3x', lambda x: x <= 3, lambda x: f'{x:.1f}x')
    ping = results.get('dispatch', {}).get('ours', {}).get('routes', {}).get('HEAD /v2/ping')
    check('Pecan dispatch (HEAD /v2/ping, Pecan app in-process)',
          [ping['pecan_us']] if ping else [], '<= 50 µs', lambda x: x <= 50,
          lambda x: f'{x:.1f} µs')
    soak = results.get('soak')
    check('server RSS growth through the soak', [rss_growth(soak)[3]] if soak else [],
          '< 10%', lambda x: x < 10, lambda x: f'{x:+.1f}%')
    return checks


def render(results):
    m = results['machine']
    head, table = main_table(results)
    parts = [f'Machine: {m["cpus"]} cores ({m["cpu_model"]}), shared by the servers, Redis '
             f'and the load generator; Python {m["python"]}, gunicorn {m["gunicorn"]}, '
             f'uWSGI {m.get("uwsgi") or "-"}, '
             f'Pecan {m["pecan"]}; 1-minute load average {m["loadavg_at_start"]:.1f} at the '
             f'start, {m.get("loadavg_at_end", float("nan")):.1f} at the end.', head + '.', '']
    for section in (table, half_max_table(results), stores_table(results),
                    dispatch_table(results), memory(results)):
        parts += [*section, '']
    return '\n'.join(parts + ['Targets:', *targets(results)])

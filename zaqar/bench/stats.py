"""Figures from raw samples: percentiles, per-role summaries, text output."""

import math
import statistics

PERCENTILES = (50, 95, 99)


def percentile(ordered, q):
    """The nearest-rank ``q``-th percentile of an ascending sequence: the
    smallest sample such that at least q% of the samples are <= it."""
    if not ordered:
        raise ValueError('no samples')
    if not 0 < q <= 100:
        raise ValueError(f'percentile out of range: {q}')
    rank = math.ceil(q / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


def latency_summary(seconds):
    """Milliseconds: count, mean, max and the percentiles of PERCENTILES."""
    ordered = sorted(seconds)
    if not ordered:
        return {'count': 0}
    summary = {'count': len(ordered),
               'mean': 1000 * math.fsum(ordered) / len(ordered),
               'max': 1000 * ordered[-1]}
    for q in PERCENTILES:
        summary[f'p{q}'] = 1000 * percentile(ordered, q)
    return summary


def role_summary(role, parts, elapsed):
    """Merge the results of every process of one role into its summary.

    ``parts`` are the dicts the worker processes sent back (see
    engine.Recorder.result); ``elapsed`` is the wall time of the role, from
    the common start to its last worker's end.
    """
    kinds = {}
    totals = dict.fromkeys(('requests', 'ok', 'errors', 'messages', 'empty'), 0)
    statuses = {}
    cpu = 0.0
    for part in parts:
        for key in totals:
            totals[key] += part[key]
        for status, count in part['statuses'].items():
            statuses[status] = statuses.get(status, 0) + count
        for kind, samples in part['latencies'].items():
            kinds.setdefault(kind, []).extend(samples)
        cpu += part['cpu']
    latencies = {kind: latency_summary(samples) for kind, samples in kinds.items()}
    seconds = elapsed or float('nan')
    requests = totals['requests']
    summary = {
        'duration_sec': elapsed,
        'total_reqs': requests,
        'successful_reqs': totals['ok'],
        'errors': totals['errors'],
        'messages': totals['messages'],
        'msgs_per_sec': totals['messages'] / seconds,
        'reqs_per_sec': totals['ok'] / seconds,
        'latency_ms': latencies,
        'statuses': dict(sorted(statuses.items())),  # 'kind status' -> count
        'client_cpu_sec': cpu,
        'client_cpu_us_per_req': 1e6 * cpu / requests if requests else None,
    }
    _add_upstream_names(role, summary, latencies, totals)
    return summary


def _add_upstream_names(role, summary, latencies, totals):
    """The keys upstream's zaqar-bench prints, for scripts that read them."""
    mean = lambda kind: latencies.get(kind, {}).get('mean', 0.0)  # noqa: E731
    if role == 'consumer':
        summary['claim_total_requests'] = latencies.get('claim', {}).get('count', 0)
        summary['messages_processed'] = totals['messages']
        summary['ms_per_claim'] = mean('claim')
        summary['ms_per_delete'] = mean('delete')
        summary['empty_claims'] = totals['empty']
    else:
        summary['ms_per_req'] = mean('post' if role == 'producer' else 'list')


def empty_summary(role):
    """The summary of a role that did not run (no processes or workers)."""
    return role_summary(role, [], 0.0) | {'msgs_per_sec': 0.0, 'reqs_per_sec': 0.0}


def format_text(summary):
    """Human-readable report of a whole run."""
    lines = []
    for role in ('producer', 'consumer', 'observer'):
        figures = summary.get(role)
        if not figures or not figures['total_reqs']:
            continue
        lines.append(f'{role.capitalize()}')
        lines.append('=' * len(role))
        lines.append(f'duration_sec: {figures["duration_sec"]:.1f}  '
                     f'requests: {figures["total_reqs"]}  ok: {figures["successful_reqs"]}  '
                     f'errors: {figures["errors"]}  statuses: {figures["statuses"]}')
        lines.append(f'msgs_per_sec: {figures["msgs_per_sec"]:.1f}  '
                     f'reqs_per_sec: {figures["reqs_per_sec"]:.1f}  '
                     f'client CPU: {figures["client_cpu_us_per_req"]:.0f} us/request')
        for kind, lat in figures['latency_ms'].items():
            if lat['count']:
                lines.append(f'  {kind:<7} ms  p50 {lat["p50"]:.2f}  p95 {lat["p95"]:.2f}  '
                             f'p99 {lat["p99"]:.2f}  mean {lat["mean"]:.2f}  '
                             f'max {lat["max"]:.2f}  (n={lat["count"]})')
        lines.append('')
    return '\n'.join(lines)


def median_range(values):
    """(median, min, max) of round results; NaN-free input expected."""
    return statistics.median(values), min(values), max(values)

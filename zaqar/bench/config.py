"""Command-line options; names and short forms as upstream's zaqar-bench.

Upstream's options (oslo.config, so ``--name`` and ``-short``) keep their
names, short forms and defaults here. Ours are added: ``--json``, rates,
delete mode, auth and progress. ``--nodebug`` (upstream's switch to JSON
output) means ``--json``.
"""

import argparse
import json
import os
import uuid

DEFAULT_MESSAGE = {'ttl': 60, 'body': {'id': '7FA23C90-62F7-40D2-9360-FBD5D7D61CD1',
                                       'evt': 'Single'}}
NOAUTH_PROJECT = 'my-lovely-benchmark'  # upstream's noauth project


def _add(parser, short, name, **kwargs):
    flags = [f'-{short}'] if short else []
    flags.append(f'--{name}')
    if '_' in name:
        flags.append(f'--{name.replace("_", "-")}')
    parser.add_argument(*flags, dest=name, **kwargs)


def build_parser():
    parser = argparse.ArgumentParser(
        prog='zaqar-bench',
        description='Drive a Zaqar server (API v2) with producers, consumers '
                    'and observers; print throughput and latency per role.')
    for role, short, workers in (('producer', 'p', 10), ('consumer', 'c', 0),
                                 ('observer', 'o', 5)):
        _add(parser, f'{short}p', f'{role}_processes', type=int, default=1,
             help=f'{role} processes (default 1)')
        _add(parser, f'{short}w', f'{role}_workers', type=int, default=workers,
             help=f'{role} workers (threads) per process (default {workers})')
        _add(parser, None, f'{role}_rate', type=float, default=0.0,
             help=f'total {role} requests per second across all its workers '
                  '(a consumer cycle of claim+delete counts once); 0 = as fast '
                  'as possible')
    _add(parser, 'cno', 'messages_per_claim', type=int, default=5)
    _add(parser, 'lno', 'messages_per_list', type=int, default=5)
    _add(parser, 't', 'time', type=float, default=5, help='seconds to run (default 5)')
    _add(parser, 's', 'server_url', default='http://localhost:8888')
    _add(parser, 'q', 'queue_prefix', default='ogre-test-queue')
    _add(parser, 'qno', 'num_queues', type=int, default=4)
    _add(parser, 'm', 'messages_path',
         help='JSON list of {"weight": w, "doc": message} to post, chosen by weight')
    _add(parser, 'api', 'api_version', type=float, default=2.0,
         help='only 2 is supported')
    _add(parser, None, 'skip_queue_reset', action='store_true',
         help='do not delete the queues before the run')
    _add(parser, None, 'delete_mode', choices=('ids', 'each'), default='ids',
         help='consumers delete claimed messages with one request by ids '
              '(default) or one request per message with its claim id')
    _add(parser, None, 'claim_ttl', type=int, default=300)
    _add(parser, None, 'claim_grace', type=int, default=200)
    _add(parser, None, 'project', default=None,
         help=f'X-Project-ID sent with every request (default {NOAUTH_PROJECT!r}); '
              'with a Keystone token the token decides the project')
    _add(parser, None, 'os_auth_token', default=os.environ.get('OS_AUTH_TOKEN'),
         help='Keystone token sent as X-Auth-Token (default: $OS_AUTH_TOKEN)')
    parser.add_argument('--json', action='store_true', help='print one JSON document')
    parser.add_argument('--debug', dest='json', action='store_false',
                        help='human-readable output (the default)')
    parser.add_argument('--nodebug', dest='json', action='store_true',
                        help='same as --json (upstream\'s name)')
    parser.add_argument('--no-progress', dest='progress', action='store_false',
                        help='no progress line on stderr')
    return parser


def parse_args(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.api_version != 2:
        parser.error('only API version 2 is supported')
    for name in ('time', 'num_queues', 'messages_per_claim', 'messages_per_list'):
        if getattr(args, name) <= 0:
            parser.error(f'--{name} must be positive')
    if not any(role_enabled(args, role) for role in ROLES):
        parser.error('no role has both processes and workers')
    return args


ROLES = ('producer', 'consumer', 'observer')


def role_enabled(args, role):
    return getattr(args, f'{role}_processes') > 0 and getattr(args, f'{role}_workers') > 0


def queue_names(args):
    return [f'{args.queue_prefix}-{i}' for i in range(args.num_queues)]


def request_headers(args):
    """Headers of every request of one worker (each worker is one client)."""
    headers = {'Client-ID': str(uuid.uuid4()),
               'X-Project-ID': args.project or NOAUTH_PROJECT,
               'Content-Type': 'application/json',
               'Accept': 'application/json'}
    if args.os_auth_token:
        headers['X-Auth-Token'] = args.os_auth_token
    return headers


def load_messages(path):
    """[(cumulative weight, encoded POST body), ...] ascending by weight."""
    if path:
        with open(path) as handle:
            pool = json.load(handle)
    else:
        pool = [{'weight': 1.0, 'doc': DEFAULT_MESSAGE}]
    pool.sort(key=lambda entry: entry['weight'])
    total = sum(entry['weight'] for entry in pool)
    cumulative, acc = [], 0.0
    for entry in pool:
        acc += entry['weight'] / total
        cumulative.append((acc, json.dumps({'messages': [entry['doc']]}).encode()))
    return cumulative


def choose(cumulative, position):
    """The entry whose weight interval holds ``position`` (0 <= p < 1)."""
    for bound, body in cumulative:
        if position < bound:
            return body
    return cumulative[-1][1]  # rounding left the last bound just under 1

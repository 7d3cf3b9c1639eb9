#!/bin/sh
# Side-by-side benchmark: ours, upstream Zaqar 23.0.1 and a ceiling, in one
# run (see benchmarks/compare.py). Makes .venv from a clean clone first.
# Needs redis-server on PATH; PostgreSQL is used when it answers.
set -e
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
    .venv/bin/pip install --disable-pip-version-check -q -e '.[redis,postgresql,mongodb]'
fi
exec .venv/bin/python benchmarks/compare.py "$@"

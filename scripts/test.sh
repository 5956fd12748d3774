#!/usr/bin/env bash
# Set up everything the test suite needs (Python venv, pinned npm packages) and run all of it:
# ruff, mypy, then pytest (unit, conformance against real xstate, REST/realtime integration,
# plugin, contract and JS-client tests). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-env.sh test
for dir in tests/conformance tests/clients/js tests/auth/js; do
  if [ -f "$dir/package-lock.json" ]; then
    installed="$dir/node_modules/.package-lock.json"
    if [ ! -f "$installed" ] || [ "$dir/package-lock.json" -nt "$installed" ]; then
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  fi
done
echo "== ruff"; .venv/bin/ruff check .
echo "== mypy"; .venv/bin/mypy
echo "== pytest"
exec .venv/bin/pytest -n 2 --dist loadgroup "$@"

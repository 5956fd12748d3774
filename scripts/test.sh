#!/usr/bin/env bash
# Set up everything the test suite needs (Python venv, pinned npm packages) and run all of it:
# ruff, mypy, then pytest (unit, conformance against real xstate, REST/realtime integration,
# plugin, contract and JS-client tests), then all three again at the lowest dependency
# versions pyproject.toml allows. Extra arguments go to pytest.
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
.venv/bin/pytest -n 2 --dist loadgroup "$@"
# The same suite again with every direct dependency at its declared floor (.venv-lowest), so
# that pyproject.toml's lower bounds are tested; SB_TEST_LOWEST=0 skips it in a local run.
if [ "${SB_TEST_LOWEST:-1}" != 0 ]; then
  echo "== lowest allowed versions: ruff, mypy, pytest"
  bash scripts/setup-lowest.sh
  .venv-lowest/bin/ruff check .
  .venv-lowest/bin/mypy --cache-dir .mypy_cache/lowest
  SB_EXPECT_FLOORS=1 exec .venv-lowest/bin/pytest -n 2 --dist loadgroup "$@"
fi

#!/usr/bin/env bash
# The lowest-versions environment, .venv-lowest: every direct dependency (runtime and test)
# at the floor pyproject.toml declares, so that the floors are tested, not guessed. Made with
# uv (installed into .venv by `scripts/setup-env.sh test`), whose `--resolution lowest-direct`
# picks the lowest allowed version of each direct dependency. Rebuilt from scratch whenever
# pyproject.toml changes (uv never downgrades what is already installed), skipped otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=.venv-lowest
UV=.venv/bin/uv
stamp="$VENV/.sb-installed-lowest"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
if [ ! -x "$UV" ]; then
  echo "setup-lowest.sh: $UV is missing; run 'bash scripts/setup-env.sh test' first" >&2
  exit 1
fi
rm -rf "$VENV"
"$UV" venv --quiet --no-python-downloads --python "$PYTHON" "$VENV"
"$UV" pip install --quiet --python "$VENV/bin/python" --resolution lowest-direct -e ".[test]"
echo "$want" > "$stamp"

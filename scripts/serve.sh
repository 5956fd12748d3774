#!/usr/bin/env bash
# Set up (first run only) and start the emulator with the example machines of fixtures/.
# Extra arguments go to `sb-emulator serve`, e.g. `bash scripts/serve.sh --clock manual`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-env.sh
exec .venv/bin/sb-emulator serve --machines fixtures/machines "$@"

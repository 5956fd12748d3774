"""Build the pre-parsed spec that ships beside the YAML: ``python -m sb_emulator.openapi.prebuild``.

Run it after editing ``sb-emulator.openapi.yaml`` (``--check`` only reports whether the
committed file is up to date, for CI). The JSON is committed rather than made by a build hook
so that an editable install (what ``scripts/`` use), a wheel and an sdist all read the same
file; the loader checks its ``sourceSha256`` anyway, so a forgotten rebuild costs start-up
time, never correctness.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from sb_emulator.openapi import loader
from sb_emulator.openapi.loader import PREBUILT_FILE, parse_document, spec_digest


def prebuilt_text(yaml_text: str) -> str:
    """The JSON file's content for this YAML text (deterministic: same text, same bytes)."""
    document = parse_document(yaml_text)
    return json.dumps({"sourceSha256": spec_digest(yaml_text), "document": document},
                      ensure_ascii=False, separators=(",", ":")) + "\n"


def prebuilt_path() -> Path:
    return loader.packaged_spec_path().with_name(PREBUILT_FILE)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sb_emulator.openapi.prebuild",
                                     description=f"Rebuild {PREBUILT_FILE} from the YAML spec.")
    parser.add_argument("--check", action="store_true",
                        help="only report whether the file is up to date (exit 1 if not)")
    args = parser.parse_args(argv)
    # the YAML on disk now, not the text this process may have read earlier
    yaml_text = loader.packaged_spec_path().read_text("utf-8")
    wanted, target = prebuilt_text(yaml_text), prebuilt_path()
    current = target.read_text("utf-8") if target.exists() else None
    if args.check:
        if current != wanted:
            print(f"{target} is out of date: run python -m sb_emulator.openapi.prebuild",
                  file=sys.stderr)
            return 1
        return 0
    if current != wanted:
        target.write_text(wanted, "utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

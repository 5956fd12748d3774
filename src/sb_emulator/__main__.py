"""`python -m sb_emulator` is the same as the `sb-emulator` command."""

from sb_emulator.cli import main

raise SystemExit(main())

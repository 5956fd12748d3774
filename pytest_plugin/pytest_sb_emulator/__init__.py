"""pytest plugin for sb-emulator (registered through the ``pytest11`` entry point)."""

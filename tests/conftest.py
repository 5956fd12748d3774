"""Shared pytest configuration for the whole suite."""

from __future__ import annotations

import os
import tempfile

# The parsed-YAML cache (sb_emulator.machines.yamlcache) lives in the user's cache directory;
# the suite keeps its own, so that no test reads what an earlier run (or the user) left there.
# Set at import, before any test or server subprocess starts, so that those inherit it.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="sb-emulator-test-cache-")

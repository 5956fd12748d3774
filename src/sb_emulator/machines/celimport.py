"""Importing the CEL library without its command-line interface.

The ``cel`` package's ``__init__`` imports its CLI (typer, rich, prompt_toolkit): about 200 ms
at every start-up, a third of the plugin's whole start-up budget, for code we never call. The
compiled extension ``cel/cel.*.so`` holds everything we use, so it is loaded on its own; if the
package ever changes shape, we fall back to the normal import.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_cel() -> ModuleType:
    existing = sys.modules.get("cel.cel")
    if existing is not None:
        return existing
    spec = importlib.util.find_spec("cel")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in locations:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            candidate = Path(folder) / f"cel{suffix}"
            if candidate.exists():
                loader = importlib.machinery.ExtensionFileLoader("cel.cel", str(candidate))
                ext_spec = importlib.util.spec_from_loader("cel.cel", loader)
                if ext_spec is None:
                    continue
                module = importlib.util.module_from_spec(ext_spec)
                loader.exec_module(module)
                sys.modules["cel.cel"] = module
                return module
    return importlib.import_module("cel")


cel = load_cel()

"""The tokens of a CEL source, for the light static reading ``celorder`` and ``celfields`` do.

The source has compiled already, so it is well formed; only what those readings need is told
apart: string literals (kept whole, so braces and names inside them are text), identifiers,
and single characters. Comments and white space are dropped.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"""(?P<string>[rRbB]{0,2}(?:'''.*?'''|\"\"\".*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"))"""
    r"|(?P<comment>//[^\n]*)"
    r"|(?P<ident>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<space>\s+)"
    r"|(?P<char>.)",
    re.S,
)

Token = tuple[str, str]  # (kind: "string" | "ident" | "char", text)


def tokens(source: str) -> list[Token]:
    return [(match.lastgroup or "char", match.group()) for match in _TOKEN.finditer(source)
            if match.lastgroup not in ("space", "comment")]

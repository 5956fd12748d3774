"""Authentication and authorization as State Backed does them (API.md §2).

Layer 3: imports only ``sb_emulator.errors``, ``ids``, ``clock``, the standard library, PyJWT,
cryptography and jsonpath-ng. The web layer hands in plain values (header strings, form dicts).
"""

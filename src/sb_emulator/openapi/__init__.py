"""Our own OpenAPI 3.0 description of the emulated State Backed API, and its validators.

``sb-emulator.openapi.yaml`` ships in this package (the repository's ``openapi/`` folder
links to it). :class:`OpenApiSpec` compiles it once into per-operation request and response
checkers; a broken spec raises :class:`SpecError` at load time:

    spec = OpenApiSpec.load()
    operation, path_params = spec.match("POST", "/machines/m/i/i1/events")
    operation.validate_request(path_params, query, body)   # raises InvalidParameter
    problems = operation.validate_response(200, body)       # [] when it conforms

Modules: ``loader`` (YAML and structure, or the pre-built JSON), ``prebuild`` (makes that
JSON), ``schemas`` (OpenAPI schema -> jsonschema), ``routing`` (path templates), ``explain``
(errors -> ``parameter``), ``validator``.
"""

from sb_emulator.openapi.loader import (
    SPEC_FILE,
    SpecError,
    packaged_spec_path,
    packaged_spec_text,
)
from sb_emulator.openapi.validator import (
    Match,
    OpenApiSpec,
    Operation,
    Parameter,
    ResponseSpec,
    ResponseValidationError,
)

__all__ = [
    "SPEC_FILE",
    "Match",
    "OpenApiSpec",
    "Operation",
    "Parameter",
    "ResponseSpec",
    "ResponseValidationError",
    "SpecError",
    "packaged_spec_path",
    "packaged_spec_text",
]

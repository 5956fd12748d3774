"""The README's "Testing with pytest" section says what the plugin and the Client really do."""

from __future__ import annotations

import inspect
import re
import shutil
from pathlib import Path

import pytest
import pytest_sb_emulator.plugin as plugin
from plugin_support import INNER_ARGS

from sb_emulator.testing import ApiError, Client

REPO = Path(__file__).parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## Testing with pytest") : README.index("**The API contract suite**")]
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", SECTION, re.S)


def public_methods(cls: type) -> list[str]:
    return [
        name for name, member in vars(cls).items()
        if callable(member) and (not name.startswith("_") or name == "__init__")
    ]


def test_the_fixture_table_lists_exactly_the_plugins_fixtures() -> None:
    fixtures = sorted(
        name for name, value in vars(plugin).items() if hasattr(value, "_fixture_function_marker")
    )
    listed = sorted(re.findall(r"^\| `(sb_\w+)` \|", SECTION, re.M))
    assert listed == fixtures


def test_the_quickstart_block_is_the_example_file() -> None:
    block = next(b for b in PYTHON_BLOCKS if b.startswith("# test_checkout.py\n"))
    example = (REPO / "examples" / "quickstart" / "test_checkout.py").read_text(encoding="utf-8")
    assert block.removeprefix("# test_checkout.py\n") == example


def test_every_public_client_method_is_documented_and_in_the_table() -> None:
    for name in public_methods(Client):
        doc = inspect.getdoc(getattr(Client, name)) or ""
        shown = "Client" if name == "__init__" else name
        assert doc.startswith(f"``{shown}("), f"{name}: no signature at the top of its docstring"
        if name not in ("__init__", "with_token"):
            assert "->" in doc or "return" in doc, f"{name}: the docstring says not what it returns"
            assert "Raises" in doc and "ApiError" in doc, f"{name}: no errors in its docstring"
    in_table = {row.split("(")[0] for row in re.findall(r"^\| `(\w+\()", SECTION, re.M)}
    assert in_table == set(public_methods(Client)) - {"__init__"}
    assert "publicContext" in SECTION and "`context.public`" in SECTION


def test_api_error_documents_its_fields() -> None:
    doc = inspect.getdoc(ApiError) or ""
    for field in ("status", "code", "error", "body"):
        assert f"``{field}``" in doc


def test_the_place_order_example_runs_as_written(pytester: pytest.Pytester) -> None:
    block = next(b for b in PYTHON_BLOCKS if "place-order" in b)
    shutil.copy(REPO / "fixtures" / "machines" / "order.yaml", pytester.path / "order.yaml")
    pytester.makepyfile(test_place_order="import pytest\n\n\n" + block)
    pytester.runpytest(*INNER_ARGS).assert_outcomes(passed=1)

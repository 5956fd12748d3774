"""Limits enforced while YAML is composed, before any Python object is built from it.

A definition can be uploaded over the API, so the parser reads hostile text. Three things in
YAML cost far more than the bytes they take, and each is refused here with a message naming
the limit and the line:

* **aliases**: ruamel.yaml composes ``*a`` as a second reference to the anchored node, so
  parsing a "billion laughs" document is cheap, but everything after it (the schema check's
  JSON copy, ``untag``, the engine) walks the tree as if every alias were a copy. The size of
  that expanded tree is counted here, once per distinct node, and the nodes aliases add
  beyond the document's own are capped at ``MAX_ALIAS_EXPANSION``; an alias inside its own
  anchor (a cycle) is refused outright;
* **nesting**: composing is recursive, so ``[[[[...`` fifty thousand deep ends in a
  RecursionError; nodes nested deeper than ``MAX_DEPTH`` (counting through aliases) are
  refused first. The scanner is stopped at the same depth of ``[`` / ``{``: it scans a flow
  collection ahead of the composer, with work growing as the square of its depth;
* **tags**: only the YAML 1.2 core tags (``!!str``, ``!!int``...) and local ``!name`` tags
  (``!cel``; others are reported with their config path by ``tags.untag``) are read; any
  other global tag (``!!python/name:os.system``, ``!!binary``, ``!<tag:...>``) is refused.

Duplicate keys are refused by ruamel.yaml itself (its round-trip constructor's default).
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.composer import Composer, ComposerError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode
from ruamel.yaml.scanner import RoundTripScanner, ScannerError

# Deep enough for any real machine (a state nested 20 levels deep sits some 45 levels down),
# shallow enough that every recursive step after parsing (schema check, engine) stays far
# below Python's recursion limit.
MAX_DEPTH = 64
# Nodes that aliases may add to the document's own: shared blocks of a real definition add
# hundreds; a 530-byte alias bomb adds billions.
MAX_ALIAS_EXPANSION = 10_000

_CORE = "tag:yaml.org,2002:"
ALLOWED_CORE_TAGS = frozenset(
    f"{_CORE}{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map"))


class GuardedScanner(RoundTripScanner):
    """ruamel.yaml's round-trip scanner, refusing flow collections nested past MAX_DEPTH."""

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:
        if len(self.flow_context) >= MAX_DEPTH:
            raise ScannerError(None, None, _too_deep(), self.reader.get_mark())
        super().fetch_flow_collection_start(TokenClass, to_push)


class GuardedComposer(Composer):
    """ruamel.yaml's composer, refusing the nesting and tags above as nodes are composed,
    and the alias expansion once the document is composed."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if not isinstance(event, AliasEvent):
            if self.depth >= MAX_DEPTH:
                raise ComposerError(None, None, _too_deep(), event.start_mark)
            _check_tag(event)
        return super().compose_node(parent, index)

    def compose_document(self) -> Any:
        node = super().compose_document()
        if node is not None:
            check_expansion(node)
        return node


def _too_deep() -> str:
    return (f"nested more than {MAX_DEPTH} levels deep (the nesting limit); expected a "
            f"definition nested at most {MAX_DEPTH} levels")


def _check_tag(event: Any) -> None:
    tag = getattr(event, "ctag", None)
    if tag is None:
        return
    text = str(tag)
    if text == "!" or text in ALLOWED_CORE_TAGS or (text.startswith("!") and
                                                   not text.startswith("!<")):
        return
    shown = "!!" + text[len(_CORE):] if text.startswith(_CORE) else text
    raise ComposerError(None, None, f"the tag {shown} is not allowed; expected !cel, a YAML 1.2 "
                                    f"core tag (!!str, !!int, !!float, !!bool, !!null, !!seq, "
                                    f"!!map) or no tag", event.start_mark)


def check_expansion(root: Node) -> None:
    """Refuse a document whose aliases expand it by more than MAX_ALIAS_EXPANSION nodes,
    nest it deeper than MAX_DEPTH, or form a cycle. Linear in the distinct nodes: each
    node's expanded size and depth is computed once, children first (no recursion)."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    distinct = 0
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            kids = _children(node)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            distinct += 1
            if depth[key] > MAX_DEPTH:
                raise ComposerError(None, None, _too_deep() + " (counting through aliases)",
                                    node.start_mark)
            if size[key] - distinct > MAX_ALIAS_EXPANSION:
                raise ComposerError(None, None, _too_large(), node.start_mark)
            continue
        if key in size:
            continue
        if key in on_path:
            raise ComposerError(None, None, "an alias refers to the node that holds it (a "
                                            "recursive alias); expected aliases of complete "
                                            "nodes only", node.start_mark)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in size)
    if size[id(root)] - distinct > MAX_ALIAS_EXPANSION:
        raise ComposerError(None, None, _too_large(), root.start_mark)


def _too_large() -> str:
    return (f"aliases expand the document by more than {MAX_ALIAS_EXPANSION} nodes (the alias "
            f"expansion limit); expected fewer or smaller aliased blocks")


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []

"""Reading YAML into plain Python data while remembering where every value came from.

The YAML is composed into nodes with PyYAML's node API and turned into dicts, lists and
scalars by a small walker of our own, so that each value gets an ``Origin`` (file and line)
kept in a tree parallel to the data. Mapping keys are always taken as text (``NO:`` is
Norway, not ``False``) and only ``true``/``false`` are booleans, as in YAML 1.2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import RulesError

_TAG = "tag:yaml.org,2002:"
_PLAIN_SCALAR_TAGS = {_TAG + "null", _TAG + "bool", _TAG + "int", _TAG + "float", _TAG + "str"}
_MAX_NODES = 1_000_000  # guards against alias bombs


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and exponent floats without a dot (``1e5``)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _TAG + "bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    _TAG + "float", re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


@dataclass
class Origin:
    """Where a value was defined, with the origins of its children by key or index."""

    file: str
    line: int | None
    kids: dict[str | int, "Origin"] = field(default_factory=dict)

    def find(self, path: tuple) -> "Origin":
        """The origin of ``path``, or of its deepest ancestor that exists."""
        node = self
        for part in path:
            nxt = node.kids.get(part)
            if nxt is None:
                nxt = node.kids.get(str(part))
            if nxt is None:
                break
            node = nxt
        return node


def parse_text(text: str, file: str) -> tuple[Any, Origin]:
    """Parse one YAML document; raise RulesError (with a line) for any problem in it."""
    loader = None
    try:
        loader = _Loader(text)
        root = loader.get_single_node()
        if root is None:
            return None, Origin(file, 1)
        return _Walker(loader, file).value(root, root.start_mark.line + 1, ())
    except yaml.MarkedYAMLError as exc:
        raise _marked_error(exc, file) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        message = f"unacceptable character #x{exc.character:04x} in the file: {exc.reason}"
        raise RulesError(message, file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise RulesError(f"YAML error: {exc}", file=file, line=1) from None
    except RecursionError:
        line = loader.line + 1 if loader is not None else 1
        raise RulesError("values are nested too deeply", file=file, line=line) from None
    finally:
        if loader is not None:
            loader.dispose()


def decode(raw: bytes, file: str) -> str:
    """File bytes as text (UTF-8, optional BOM); a bad byte is an error at its line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise RulesError(f"the file is not valid UTF-8 text ({exc.reason})", file=file,
                         line=line) from None


def _marked_error(exc: yaml.MarkedYAMLError, file: str) -> RulesError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    context = exc.context
    if context and exc.context_mark is not None and exc.context_mark.line + 1 != line:
        context = f"{context} (from line {exc.context_mark.line + 1})"
    parts = [part for part in (context, exc.problem) if part]
    message = "YAML syntax error: " + (": ".join(parts) if parts else "cannot parse")
    return RulesError(message, file=file, line=line)


class _Walker:
    """Turns a composed node tree into (data, Origin) pairs."""

    def __init__(self, loader: _Loader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.count = 0
        self.active: set[int] = set()
        self.flattened: set[int] = set()

    def fail(self, message: str, node: Node, path: tuple = ()) -> RulesError:
        dotted = ".".join(str(part) for part in path)
        return RulesError(message, file=self.file, path=dotted, line=node.start_mark.line + 1)

    def value(self, node: Node, line: int, path: tuple) -> tuple[Any, Origin]:
        self.count += 1
        if self.count > _MAX_NODES:
            raise self.fail("too many values (alias expansion?)", node, path)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path), Origin(self.file, line)
        if id(node) in self.active:
            raise self.fail("recursive alias: a value may not contain itself", node, path)
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return self.sequence(node, line, path)
            return self.mapping(node, line, path)
        finally:
            self.active.discard(id(node))

    def scalar(self, node: ScalarNode, path: tuple) -> Any:
        if node.tag in _PLAIN_SCALAR_TAGS:
            return self.loader.construct_object(node)
        if node.tag == _TAG + "timestamp":
            return node.value
        raise self.fail(f"unsupported YAML tag {node.tag!r}", node, path)

    def sequence(self, node: SequenceNode, line: int, path: tuple) -> tuple[list, Origin]:
        if node.tag != _TAG + "seq":
            raise self.fail(f"unsupported YAML tag {node.tag!r}", node, path)
        items, origin = [], Origin(self.file, line)
        for index, item in enumerate(node.value):
            data, kid = self.value(item, item.start_mark.line + 1, path + (index,))
            items.append(data)
            origin.kids[index] = kid
        return items, origin

    def mapping(self, node: MappingNode, line: int, path: tuple) -> tuple[dict, Origin]:
        if node.tag != _TAG + "map":
            raise self.fail(f"unsupported YAML tag {node.tag!r}", node, path)
        self.prepare(node, path)
        result, origin = {}, Origin(self.file, line)
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise self.fail("a mapping key must be plain text", key_node, path)
            key = key_node.value
            data, kid = self.value(value_node, key_node.start_mark.line + 1, path + (key,))
            result[key] = data
            origin.kids[key] = kid
        return result, origin

    def prepare(self, node: MappingNode, path: tuple) -> None:
        """Check keys once per node, then expand ``<<`` merge keys in place."""
        if id(node) in self.flattened:
            return
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode):
                raise self.fail("a mapping key must be plain text", key_node, path)
            if key_node.tag == _TAG + "merge":
                continue
            line = key_node.start_mark.line + 1
            if key_node.value in seen:
                raise self.fail(
                    f"duplicate key {key_node.value!r} (first defined on line "
                    f"{seen[key_node.value]})", key_node, path + (key_node.value,))
            seen[key_node.value] = line
        self.loader.flatten_mapping(node)
        self.flattened.add(id(node))

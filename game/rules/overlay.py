"""Files, references between them and the ``extends:`` overlay.

A file may start with ``extends: OTHER.yaml``: it is read on top of the other file.
Mappings merge key by key, any other value replaces the one below and ``null`` deletes the
key. Every value keeps the origin (file and line) of the file that last defined it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import RulesError
from .yamlsrc import Origin, decode, parse_text

REPO_ROOT = Path(__file__).absolute().parent.parent.parent
SEARCH_DIRS = ("rulesets", "maps")


@dataclass
class Doc:
    """A merged document: data, the origin tree of its values and the files read."""

    data: dict[str, Any]
    origin: Origin
    files: list[str] = field(default_factory=list)


def display_path(path: str | os.PathLike) -> str:
    """A path as shown in messages: relative to the working directory when inside it."""
    text = os.path.normpath(os.fspath(path))
    if not os.path.isabs(text):
        return text
    try:
        relative = os.path.relpath(text)
    except ValueError:
        return text
    return text if relative.startswith("..") else relative


def read_mapping(file: str) -> tuple[dict, Origin]:
    """Read a YAML file whose top level must be a mapping."""
    try:
        raw = Path(file).read_bytes()
    except FileNotFoundError:
        raise RulesError("file not found", file=file) from None
    except OSError as exc:
        raise RulesError(f"cannot read the file: {exc.strerror or exc}", file=file) from None
    data, origin = parse_text(decode(raw, file), file)
    if data is None:
        raise RulesError("the file is empty; expected a mapping of keys", file=file, line=1)
    if not isinstance(data, dict):
        raise RulesError("the top level must be a mapping of keys", file=file,
                         line=origin.line or 1)
    return data, origin


def resolve_ref(ref: str, from_file: str) -> str | None:
    """Find the file ``ref`` names: relative to ``from_file``, then in rulesets/ or maps/."""
    names = [ref] if ref.endswith((".yaml", ".yml")) else [ref, ref + ".yaml"]
    base_dir = os.path.dirname(from_file)
    for name in names:
        candidate = os.path.normpath(os.path.join(base_dir, name))
        if os.path.isfile(candidate):
            return candidate
    if os.sep in ref or "/" in ref:
        return None
    for folder in SEARCH_DIRS:
        for name in names:
            candidate = REPO_ROOT / folder / name
            if candidate.is_file():
                return display_path(candidate)
    return None


def load_chain(file: str) -> Doc:
    """Read ``file`` and everything it extends, merged bottom-up."""
    layers: list[tuple[dict, Origin]] = []
    seen: list[str] = []
    files: list[str] = []
    current, extends_line = file, None
    while True:
        real = os.path.realpath(current)
        if real in seen:
            cycle = " -> ".join([*files, current])
            raise RulesError(f"extends cycle: {cycle}", file=files[-1], path="extends",
                             line=extends_line)
        seen.append(real)
        data, origin = read_mapping(current)
        files.append(current)
        layers.append((data, origin))
        nxt, extends_line = _next_in_chain(data, origin, current)
        if nxt is None:
            break
        current = nxt
    return _merge_layers(layers, files)


def _next_in_chain(data: dict, origin: Origin, file: str) -> tuple[str | None, int | None]:
    """The file this one extends (and the line saying so), or None."""
    ref = data.pop("extends", None)
    line = origin.kids.pop("extends", origin).line
    if ref is None:
        return None, None
    if not isinstance(ref, str) or not ref.strip():
        raise RulesError("extends must name a file", file=file, path="extends", line=line)
    found = resolve_ref(ref.strip(), file)
    if found is None:
        raise RulesError(f"cannot find the extended file {ref!r} (looked next to this file "
                         f"and in {', '.join(SEARCH_DIRS)}/)", file=file, path="extends",
                         line=line)
    return found, line


def _merge_layers(layers: list[tuple[dict, Origin]], files: list[str]) -> Doc:
    data, origin = layers[-1]
    for over_data, over_origin in reversed(layers[:-1]):
        overlay(data, origin, over_data, over_origin)
    return Doc(data, origin, files)


def overlay(base: dict, base_origin: Origin, over: dict, over_origin: Origin) -> None:
    """Merge ``over`` into ``base`` in place (with origins): the overlay rule of the format."""
    base_origin.file, base_origin.line = over_origin.file, over_origin.line
    for key, value in over.items():
        kid_origin = over_origin.kids.get(key, over_origin)
        below = base.get(key)
        if value is None:  # deleted; its origin stays so "Field required" can point here
            base.pop(key, None)
            base_origin.kids[key] = kid_origin
        elif isinstance(value, dict) and isinstance(below, dict):
            overlay(below, base_origin.kids.setdefault(key, Origin(kid_origin.file, None)),
                    value, kid_origin)
        else:
            base[key] = value
            base_origin.kids[key] = kid_origin

"""Fuzz the rules loader: a mutated scenario either loads or fails with a located RulesError.

Each example copies the mini scenario (ruleset, map, scenario), mutates one of the three
files (delete a key, change a value's type, make a number negative, rename a reference to an
unknown id, or insert garbage text) and loads the scenario. Any exception other than
RulesError fails the test, as does an error without a file and a line inside that file.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.rules import RulesError, load_scenario

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rules"
MINI_FILES = ("mini_ruleset.yaml", "mini_map.yaml", "mini_scenario.yaml")
ORIGINALS = {name: yaml.safe_load((FIXTURES / name).read_text()) for name in MINI_FILES}

GARBAGE = [
    "{", "]", ": :", "\t", "- item", "@@@", "'unterminated", "\"open", "? [a, b]\n: 1",
    "*undefined", "&a [*a]", "!!python/object:os.system x", "!custom 5", "<<: 3",
    "%YAML 1.1\n", "---\n", "...\n", "\x00", "\x07", "key: [1, 2", "  deeper: 1\n",
    "\nname: again\n", "\nextends: nowhere.yaml\n", "\nextends: mini_scenario.yaml\n",
    "\nmap: elsewhere.yaml\n", "1e999", ".nan", "NO", "yes", "2025-01-01", "0x1F", "~",
    "|\n  block", ">-", "#", "\u2028", "\ufeff",
]
NEW_VALUES = ["oops", 7, -3, 1.5, True, None, [1, "a"], {"x": 1}, "", 1e300]


# ---- walking the parsed fixture ----------------------------------------------------------

def all_paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value below the root, parents before children."""
    paths = []
    items = data.items() if isinstance(data, dict) else enumerate(data) \
        if isinstance(data, list) else ()
    for key, value in items:
        paths.append(prefix + (key,))
        paths.extend(all_paths(value, prefix + (key,)))
    return paths


def get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def node_line(text: str, path: tuple) -> int | None:
    """The 1-based line of the key (or list item) at ``path`` in YAML text, by yaml.compose."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    line = None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            pairs = [(k, v) for k, v in node.value if k.value == str(part)]
            if not pairs:
                return None
            line, node = pairs[0][0].start_mark.line + 1, pairs[0][1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return None
    return line


# ---- mutations ---------------------------------------------------------------------------

@st.composite
def structural_mutation(draw, data: Any) -> tuple[Any, tuple]:
    """Returns (mutated data, the path mutated)."""
    paths = all_paths(data)
    kind = draw(st.sampled_from(["delete", "retype", "negate", "rename_value", "rename_key"]))
    if kind == "negate":
        numbers = [p for p in paths if _is_number(get(data, p))]
        path = draw(st.sampled_from(numbers))
        _set(data, path, -abs(get(data, path)) - draw(st.sampled_from([0, 1, 0.5])))
    elif kind == "rename_value":
        texts = [p for p in paths if isinstance(get(data, p), str)]
        path = draw(st.sampled_from(texts))
        _set(data, path, "zz_unknown")
    elif kind == "rename_key":
        keyed = [p for p in paths if isinstance(p[-1], str)]
        path = draw(st.sampled_from(keyed))
        parent = get(data, path[:-1])
        parent["zz_unknown"] = parent.pop(path[-1])
        path = path[:-1] + ("zz_unknown",)
    elif kind == "delete":
        path = draw(st.sampled_from(paths))
        del get(data, path[:-1])[path[-1]]
    else:
        path = draw(st.sampled_from(paths))
        _set(data, path, draw(st.sampled_from(NEW_VALUES)))
    return data, path


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _set(data: Any, path: tuple, value: Any) -> None:
    get(data, path[:-1])[path[-1]] = value


@st.composite
def mutated_files(draw) -> tuple[str, str, tuple | None]:
    """(file name, its new text, the mutated path or None for garbage)."""
    name = draw(st.sampled_from(MINI_FILES))
    if draw(st.integers(0, 4)) == 0:
        text = (FIXTURES / name).read_text()
        junk = draw(st.one_of(
            st.sampled_from(GARBAGE),
            st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)))
        at = draw(st.integers(0, len(text)))
        return name, text[:at] + junk + text[at:], None
    data, path = draw(structural_mutation(yaml.safe_load((FIXTURES / name).read_text())))
    return name, yaml.safe_dump(data, sort_keys=False, allow_unicode=True), path


# ---- the property ------------------------------------------------------------------------

def check_error(exc: RulesError, folder: Path, name: str, text: str, path: tuple | None):
    files = {str(folder / f): (folder / f) for f in MINI_FILES}
    assert any(str(exc).startswith(f"{f}:") for f in files), str(exc)
    for err in exc.errors:
        assert err.file in files, str(err)
        line_count = max(1, len(files[err.file].read_text(errors="replace").splitlines()))
        assert err.line is not None and 1 <= err.line <= line_count + 1, str(err)
        assert str(err).startswith(f"{err.file}:{err.line}: ")
    if path is not None:
        dotted = ".".join(str(part) for part in path)
        expected = node_line(text, path)
        for err in exc.errors:
            if err.path == dotted and err.file == str(folder / name) and expected:
                assert err.line == expected, (str(err), expected)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_files())
def test_mutated_scenario_loads_or_fails_with_a_located_error(mutation):
    name, text, path = mutation
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for original in MINI_FILES:
            shutil.copy(FIXTURES / original, folder / original)
        (folder / name).write_text(text, encoding="utf-8")
        try:
            load_scenario(folder / "mini_scenario.yaml")
        except RulesError as exc:
            check_error(exc, folder, name, text, path)


def test_unmutated_fixtures_load():
    assert load_scenario(FIXTURES / "mini_scenario.yaml").name == "mini_scenario"
    assert ORIGINALS["mini_scenario.yaml"]["extends"] == "mini_ruleset.yaml"

"""The save file: JSON Lines, written atomically, read with every line checked.

Line 1 is the header: format name and version, the scenario (name and the path it was
loaded from when it is not a bundled one), the ruleset and map hashes, the seed, the
seats and the number of turns. Each further line is one turn: every order every seat
submitted (people and policies alike, as text), facilitator-injected events, and the
state digest after the turn. Loading replays the turns with all seats driven by the
recorded orders, and checks every digest.

Version 2 chains the lines: every line carries `check`, a hash of the line's own content and
the previous line's check, and the file ends with an `end` line giving the number of turns.
A changed byte, a line moved, repeated or dropped, or a file cut short (even at a line's
end) is found before anything is replayed, and named by its line and turn. Version 1 saves
(no checks, no end line) still load: their per-turn digests still prove the replay.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

FORMAT = "chokepoint-save"
VERSION = 2
READABLE_VERSIONS = (1, 2)
CHAIN_START = "chokepoint"


class SaveError(ValueError):
    """A save that cannot be read or does not replay."""


def header(game) -> dict:
    sc = game.scenario
    return {
        "format": FORMAT, "version": VERSION, "scenario": sc.name,
        "scenario_path": _scenario_ref(sc),
        "ruleset_hash": sc.hashes["ruleset"], "map_hash": sc.hashes["map"],
        "seed": game.seed, "seats": game.seats, "turns": game.turns,
    }


def _scenario_ref(sc) -> str:
    """The bundled name when the scenario ships with the game, else its file path."""
    first = Path(sc.source_files[0]) if sc.source_files else None
    bundled = Path(__file__).resolve().parent.parent / "rulesets"
    if first is not None and first.resolve().parent == bundled:
        return first.stem
    return str(first.resolve()) if first else sc.name


def line_check(record: dict, previous: str) -> str:
    """The chained check of one line: a hash of its content (without `check`) and the
    previous line's check."""
    body = json.dumps({k: v for k, v in record.items() if k != "check"}, sort_keys=True)
    return hashlib.sha256(f"{previous}\n{body}".encode("utf-8")).hexdigest()[:16]


def save_lines(game) -> list[str]:
    """The save's lines: header, one per turn, end; each with its chained check."""
    records = [header(game), *game.history, {"end": len(game.history)}]
    lines, previous = [], CHAIN_START
    for record in records:
        record = {**record, "check": line_check(record, previous)}
        previous = record["check"]
        lines.append(json.dumps(record, sort_keys=True))
    return lines


def write_save(game, path: str | Path) -> Path:
    """Write the game to `path` atomically: a crash leaves the old file or the new, never half."""
    return write_save_lines(save_lines(game), path)


def write_save_lines(lines: list[str], path: str | Path) -> Path:
    """Write a save's lines (from `save_lines`, here or on another machine) atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)            # mkstemp makes 0600; saves are ordinary files
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_save(path: str | Path) -> tuple[dict, list[dict]]:
    """The header and the turn records of a save, every line's check verified (version 2)."""
    path = Path(path)
    try:
        raw = path.read_bytes().decode("utf-8").splitlines()
    except OSError as exc:
        raise SaveError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        line = raw_line_of(path, exc.start)
        raise SaveError(f"{path}:{line}: a byte that is not UTF-8 text: not a Chokepoint save, or a damaged one") from None
    records = []
    for n, line in enumerate(raw, start=1):
        if not line.strip():
            continue
        try:
            records.append((n, json.loads(line), line))
        except json.JSONDecodeError as exc:
            raise SaveError(f"{path}:{n}: not JSON ({exc.msg}): the line is damaged or cut short") from None
    if not records or not isinstance(records[0][1], dict) or records[0][1].get("format") != FORMAT:
        raise SaveError(f"{path}:1: not a Chokepoint save (no '{FORMAT}' header)")
    head = records[0][1]
    if head.get("version") not in READABLE_VERSIONS:
        raise SaveError(f"{path}:1: save format version {head.get('version')!r} is not supported "
                        f"(this game reads versions {', '.join(map(str, READABLE_VERSIONS))})")
    if head["version"] == 1:
        return head, [record for _n, record, _line in records[1:]]
    return head, _checked_turns(path, records, raw)


def raw_line_of(path: Path, offset: int) -> int:
    return path.read_bytes()[:offset].count(b"\n") + 1


def _checked_turns(path: Path, records: list[tuple[int, object, str]], raw: list[str]) -> list[dict]:
    """Verify the chain of a version 2 save and return its turn records. Each line must be
    exactly as written (the canonical JSON of its record), so no byte can change unseen."""
    previous, turns = CHAIN_START, []
    for n, record, line in records:
        if not isinstance(record, dict):
            raise SaveError(f"{path}:{n}: malformed line (expected a JSON object)")
        where = f"turn {record['turn']}: " if "turn" in record else ""
        if record.get("check") != line_check(record, previous) or line != json.dumps(record, sort_keys=True):
            expected = f"turn {len(turns) + 1}" if n > 1 else "the header"
            raise SaveError(f"{path}:{n}: {where}the line's check does not match: it was changed, moved or "
                            f"repeated after saving (expected {expected} here)")
        previous = record["check"]
        if "end" in record:
            if record["end"] != len(turns) or n != len(raw):
                raise SaveError(f"{path}:{n}: the end line says {record['end']} turns, the file has {len(turns)} "
                                f"or goes on after it")
            if not path.read_bytes().endswith(b"\n"):
                raise SaveError(f"{path}:{n}: the save is cut short (its last line has no line end)")
            return turns
        if n > 1:
            turns.append({k: v for k, v in record.items() if k != "check"})
    last = f"turn {len(turns)}" if turns else "the header"
    raise SaveError(f"{path}:{records[-1][0]}: the save is cut short after {last} (no end line)")

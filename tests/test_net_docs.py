"""docs/lan.md works as written: its Python example plays a turn, its commands parse, and
the options it names are the server's."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from game.cli import build_parser

DOC = (Path(__file__).resolve().parents[1] / "docs" / "lan.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", DOC, flags=re.S | re.M)


def test_the_python_example_plays_a_turn(capsys):
    [example] = blocks("python")
    exec(compile(example, "docs/lan.md", "exec"), {"__name__": "docs_lan"})
    assert re.search(r"^turn 1 digest [0-9a-f]{16} treasury", capsys.readouterr().out, flags=re.M)


def test_the_commands_parse_and_every_option_named_exists():
    parser = build_parser()
    for line in blocks("bash")[0].splitlines():
        args = parser.parse_args(shlex.split(line)[1:])
        assert args.func.__name__ == "cmd_serve" and args.seats == "US,CN,EU,JP" and args.turn_timer == 300
    join = parser.parse_args(["join", "192.168.1.10:8765", "--token", "T", "--screenshot", "a.png"])
    assert join.func.__name__ == "cmd_join"
    serve_options = {a for action in parser._subparsers._group_actions[0].choices["serve"]._actions
                     for a in action.option_strings}
    for named in re.findall(r"`(--[a-z-]+)", DOC):
        assert named in serve_options | {"--token", "--screenshot", "--out"}, named

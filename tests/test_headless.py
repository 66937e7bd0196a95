"""The engine runs without a screen: nothing outside the front end imports pygame.

Servers, CI machines and batch experiments have no display; the engine, the AI and the
command line must not pull pygame in (only game/ui and game/net, the planned front end
and its network layer, may).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FRONT_END = ("ui", "net")
IMPORTS_PYGAME = re.compile(r"^\s*(import\s+pygame|from\s+pygame[\w.]*\s+import)\b", re.M)

PLAY_ONE_TURN = f"""
import sys
import game, game.api, game.cli, game.save, game.observe, agents, agents.policies
from game import Game, load_scenario
g = Game(load_scenario({str(HERE / 'fixtures' / 'small' / 'small_scenario.yaml')!r}), seed=1)
g.step()
g.observe("US"); g.metrics()
assert game.cli.main(["scenarios"]) == 0
loaded = sorted(m for m in sys.modules if m == "pygame" or m.startswith(("pygame.", "pygame_gui")))
print("PYGAME:", ",".join(loaded))
"""


def test_playing_a_turn_does_not_import_pygame():
    env = {k: v for k, v in os.environ.items() if not k.startswith("SDL_")}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run([sys.executable, "-c", PLAY_ONE_TURN], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("PYGAME:"))
    assert line.split(":", 1)[1].strip() == "", f"pygame modules loaded: {line}"


def test_no_engine_module_imports_pygame():
    offenders = []
    for root in ("game", "agents"):
        for path in sorted((REPO / root).rglob("*.py")):
            rel = path.relative_to(REPO)
            if root == "game" and len(rel.parts) > 2 and rel.parts[1] in FRONT_END:
                continue
            if IMPORTS_PYGAME.search(path.read_text(encoding="utf-8")):
                offenders.append(str(rel))
    assert offenders == [], f"engine modules import pygame: {offenders}"


def test_the_pattern_finds_a_pygame_import():
    """The grep above would notice: it matches the usual spellings and not mere mentions."""
    for text in ("import pygame\n", "    import pygame.freetype\n", "from pygame import Rect\n",
                 "from pygame.locals import *\n"):
        assert IMPORTS_PYGAME.search(text), text
    for text in ("# a pygame front end is planned\n", "x = 'import pygame'\n", "import pygame_like\n"):
        assert not IMPORTS_PYGAME.search(text), text

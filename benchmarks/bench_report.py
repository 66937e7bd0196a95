"""Time to write the after-action report of a 20-turn baseline_2025 game (target: under 10 s).

Run: ``python benchmarks/bench_report.py`` (from the repository root); ``--turns`` and
``--repeats`` to change the game and the number of timed writes. Prints the figures; makes
no assertions.

The game is the 2025 scenario, seed 1, every seat on its default AI, with China banning
NdPr oxide to the US from turn 2 (so a market splits and the debrief has a ban to ask
about). The report compares the game with its status-quo game, which `build_report` plays
when it has not been played yet; both are timed: the report with the status-quo game to
play (what `chokepoint report` pays on a fresh load) and with it already played (what a
second report, or the UI after its scores tab, pays).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from game import Game  # noqa: E402
from game.report import build_report  # noqa: E402

BAN = "export_control good=ndpr_oxide target=US mode=ban"


def played_game(turns: int) -> Game:
    game = Game("baseline_2025", seed=1, turns=turns)
    game.step()
    game.submit("CN", [BAN])
    game.run()
    return game


def timed_write(game, out_dir: str) -> float:
    start = time.perf_counter()
    build_report(game).write(out_dir)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    game = played_game(args.turns)
    print(f"played a {args.turns}-turn baseline_2025 game in {time.perf_counter() - start:.2f} s")
    with tempfile.TemporaryDirectory() as out:
        first = timed_write(game, out)
        print(f"report with the status-quo game still to play: {first:.2f} s")
        again = [timed_write(game, out) for _ in range(args.repeats)]
        print(f"report with the status-quo game played:       median {statistics.median(again):.2f} s, "
              f"best {min(again):.2f} s over {args.repeats} writes (target: under 10 s)")
        sizes = sorted((name, os.path.getsize(os.path.join(out, name))) for name in os.listdir(out))
        print("files: " + ", ".join(f"{name} {size / 1024:.0f} KiB" for name, size in sizes))


if __name__ == "__main__":
    main()

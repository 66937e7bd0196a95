"""A turn on the LAN: time from the last team's Ready to every one of 8 clients having the
new turn (its news and its new observation, decoded), resolution of the turn included.

    python benchmarks/bench_net.py [--turns 10] [--seats US,CN,EU,JP,KR,IN,GB,AU]

The server is a real `chokepoint serve` in a process of its own; the 8 clients share this
process (one event loop), as 8 laptops on one machine would share its CPUs. Each turn every
seat sends two orders, seven seats press Ready, then the eighth does, and the clock runs
from that last Ready until the slowest client has the new turn. For comparison it also
times the engine's own turn (Game.step) on the same game, without any network.

Target: under 1.5 s a turn, including the turn's resolution.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from game.api import Game  # noqa: E402
from game.net.client import NetClient  # noqa: E402
from game.net.room import ROOM_NAME  # noqa: E402
from game.orders import parse_order  # noqa: E402

SEATS = "US,CN,EU,JP,KR,IN,GB,AU"
GOODS = ["gallium", "germanium", "ndpr_oxide", "cobalt_refined"]


def orders_for(k: int, turn: int) -> list[str]:
    good, other = GOODS[(turn + k) % 4], GOODS[(turn + k + 1) % 4]
    return [parse_order(f"stockpile good={good} amount={0.01 * turn + 0.001 * k:.3f} max_price=900").text(),
            parse_order(f"release_stockpile good={other} amount=0.0001").text()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(out: Path, port: int, seats: str, turns: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "game.cli", "serve", "--scenario", "baseline_2025", "--seed", "1",
           "--seats", seats, "--turns", str(turns), "--host", "127.0.0.1", "--port", str(port), "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    for line in proc.stdout:
        if "facilitator" in line and "--token" in line:
            return proc
    raise SystemExit("the server did not start")


async def play(port: int, tokens: dict[str, str], seats: list[str], turns: int) -> tuple[list[float], list[float]]:
    clients = [NetClient(f"127.0.0.1:{port}", tokens[s]) for s in seats]
    for c in clients:
        await c.start()
    latencies, orders_seconds = [], []
    for turn in range(1, turns + 1):
        t0 = time.perf_counter()
        await asyncio.gather(*(c.submit(orders_for(k, turn)) for k, c in enumerate(clients)))
        await asyncio.gather(*(c.ready() for c in clients[:-1]))
        orders_seconds.append(time.perf_counter() - t0)
        start = time.perf_counter()
        await clients[-1].ready()
        await asyncio.gather(*(c.wait_turn(turn, timeout=60) for c in clients))
        latencies.append(time.perf_counter() - start)
    for c in clients:
        await c.close()
    return latencies, orders_seconds


def engine_turns(seats: list[str], turns: int) -> list[float]:
    game = Game("baseline_2025", seed=1, seats={s: "human" for s in seats}, turns=turns)
    out = []
    for turn in range(1, turns + 1):
        for k, s in enumerate(seats):
            game.submit(s, orders_for(k, turn))
        t = time.perf_counter()
        game.step()
        out.append(time.perf_counter() - t)
    return out


def summary(label: str, xs: list[float]) -> str:
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]
    return (f"{label:44s} median {statistics.median(xs) * 1000:7.0f} ms   p95 {p95 * 1000:7.0f} ms   "
            f"max {xs[-1] * 1000:7.0f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--turns", type=int, default=10)
    ap.add_argument("--seats", default=SEATS)
    args = ap.parse_args()
    seats = [s.strip() for s in args.seats.split(",") if s.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        out, port = Path(tmp) / "room", free_port()
        t = time.perf_counter()
        proc = start_server(out, port, ",".join(seats), args.turns)
        started = time.perf_counter() - t
        try:
            tokens = json.loads((out / ROOM_NAME).read_text())["tokens"]
            latencies, orders_seconds = asyncio.run(play(port, tokens, seats, args.turns))
        finally:
            proc.kill()
            proc.wait()
    engine = engine_turns(seats, args.turns)
    print(f"{len(seats)} clients on this machine, server in its own process, baseline_2025, {args.turns} turns")
    print(f"server start (imports, new game, listening): {started:.2f} s")
    for i, (lat, eng) in enumerate(zip(latencies, engine), start=1):
        print(f"  turn {i:2d}: last Ready -> all {len(seats)} clients have the new turn {lat * 1000:6.0f} ms "
              f"(the engine's step alone {eng * 1000:5.0f} ms)")
    print(summary("last Ready -> every client has the new turn", latencies))
    print(summary("the engine's turn alone (Game.step)", engine))
    print(summary("all seats send orders, 7 press Ready", orders_seconds))
    print(f"target: under 1500 ms a turn; worst turn {max(latencies) * 1000:.0f} ms: "
          f"{'met' if max(latencies) < 1.5 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

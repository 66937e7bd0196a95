"""`chokepoint serve` and `chokepoint join`: a game for a class on a LAN.

    chokepoint serve --scenario baseline_2025 --seed 1 --seats US,CN,EU,JP --port 8765 \\
                     --turn-timer 300 --out class1
    chokepoint join 192.168.1.10:8765 --token TOKEN

Started again with the same --out, `serve` resumes the game it left there (same tokens).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from pathlib import Path


def add_net_parsers(sub) -> None:
    srv = sub.add_parser("serve", help="run a game server for a class on a LAN (one screen per team)",
                         description="Run a headless game server: people play the --seats, the AI the rest. "
                         "It prints one token per seat and one for the facilitator. Started again with "
                         "the same --out, it resumes the game autosaved there with the same tokens.")
    srv.add_argument("--scenario", default="baseline_2025", help="scenario name or path (default baseline_2025)")
    srv.add_argument("--seed", type=int, default=0)
    srv.add_argument("--load", type=Path, metavar="SAVE", help="play on from a save instead of a new game")
    srv.add_argument("--seats", default="", help="comma-separated seats people play, e.g. US,CN,EU,JP")
    srv.add_argument("--turns", type=int, help="stop after this many turns (default: the scenario's)")
    srv.add_argument("--host", default="0.0.0.0", help="address to listen on (default: every interface)")
    srv.add_argument("--port", type=int, default=8765, help="TCP port (default 8765; 0 picks a free one)")
    srv.add_argument("--turn-timer", type=int, default=0, metavar="SECONDS",
                     help="seconds a turn may last; then seats not ready play on (default 0: no timer)")
    srv.add_argument("--out", type=Path, help="folder for the autosave (every turn) and the room file")
    srv.set_defaults(func=cmd_serve)

    join = sub.add_parser("join", help="join a LAN game: the game window for your seat, or the facilitator console")
    join.add_argument("address", metavar="HOST:PORT")
    join.add_argument("--token", required=True, help="the token the server printed for your seat")
    join.add_argument("--size", default="1280x800", help="window size WxH (default 1280x800)")
    join.add_argument("--fullscreen", action="store_true")
    join.add_argument("--screenshot", type=Path, metavar="PNG", help="save a picture of the first screen and quit")
    join.set_defaults(func=cmd_join)


def _fail(message: str) -> int:
    print(f"chokepoint: error: {message}", file=sys.stderr)
    return 2


def make_room(args):
    """The room `serve` asked for: resumed from --out, from --load, or new. Raises ValueError."""
    from agents.policies import PolicyError
    from game.net.room import ROOM_NAME, Room, RoomError
    from game.rules import RulesError
    from game.save import SaveError
    seats = [s.strip() for s in args.seats.split(",") if s.strip()]
    if args.turn_timer < 0:
        raise ValueError("--turn-timer must be 0 (no timer) or a number of seconds")
    if args.turns is not None and args.turns < 1:
        raise ValueError("--turns must be at least 1")
    if args.seed < 0:
        raise ValueError("--seed must be a whole number from 0 up")
    try:
        if args.out is not None and (args.out / ROOM_NAME).exists():
            return Room.restart(args.out), True
        if args.load is not None:
            return Room.from_save(args.load, humans=seats, out=args.out, timer=args.turn_timer), False
        if not seats:
            raise ValueError("--seats: name the seats people play, e.g. --seats US,CN,EU,JP")
        return Room.new(str(args.scenario), seed=args.seed, humans=seats, turns=args.turns, out=args.out,
                        timer=args.turn_timer), False
    except (RoomError, RulesError, SaveError, PolicyError) as exc:
        raise ValueError(str(exc)) from None


def lan_address() -> str:
    """This machine's address on the LAN, as others would reach it (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
        except OSError:
            return socket.gethostname()


def join_lines(room, host: str, port: int) -> list[str]:
    from game.net.room import FACILITATOR
    where = lan_address() if host in ("0.0.0.0", "", "::") else host
    lines = []
    for who, token in room.tokens.items():
        label = "facilitator" if who == FACILITATOR else who
        lines.append(f"  {label:12s} chokepoint join {where}:{port} --token {token}")
    return lines


def cmd_serve(args) -> int:
    try:
        room, resumed = make_room(args)
    except ValueError as exc:
        return _fail(str(exc))
    return asyncio.run(_serve(room, args, resumed))


async def _serve(room, args, resumed: bool) -> int:
    try:
        from game.net.server import LanServer
    except ImportError as exc:
        return _fail(f"chokepoint serve needs the websockets package ({exc}): pip install 'chokepoint[ui]'")

    def said(resolved):
        r = resolved.report
        played = f"; played by their default AI: {', '.join(resolved.defaulted)}" if resolved.defaulted else ""
        print(f"turn {r.turn} of {room.game.turns} resolved, digest {r.digest}{played}", flush=True)
        if room.game.over:
            print(f"the game is over; final digest {room.game.digest()}", flush=True)

    server = LanServer(room, host=args.host, port=args.port, on_turn=said)
    try:
        await server.start()
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    g = room.game
    how = f"resumed from {args.out} at" if resumed else "ready at"
    print(f"Chokepoint LAN game {g.scenario.name}, seed {g.seed}: {how} turn {g.turn} of {g.turns}; "
          f"people play {', '.join(room.humans())}, the AI the rest", flush=True)
    print(f"listening on {args.host}:{server.port}; "
          + (f"autosave every turn to {args.out / 'game.save'}" if args.out else
             "no --out: nothing is saved if the server stops"), flush=True)
    print("Give each team its line (the facilitator keeps the last):", flush=True)
    print("\n".join(join_lines(room, args.host, server.port)), flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()
    if args.out:
        print(f"server stopped at turn {g.turn} of {g.turns}; the game is kept in {args.out}: "
              "the same command resumes it", flush=True)
    return 0


def cmd_join(args) -> int:
    try:
        from game.net.client import JoinError, ws_url
    except ImportError as exc:
        return _fail(f"chokepoint join needs the websockets package ({exc}): pip install 'chokepoint[ui]'")
    try:
        ws_url(args.address)
        w, h = (int(x) for x in args.size.lower().split("x"))
    except JoinError as exc:
        return _fail(str(exc))
    except ValueError:
        return _fail(f"--size {args.size!r}: expected WxH, e.g. 1280x800")
    from game.ui.app import has_display
    if not has_display():
        print("chokepoint join needs a screen, and none was found (no DISPLAY or WAYLAND_DISPLAY). "
              "Join from a machine with a screen, or play headless: chokepoint run --scenario baseline_2025",
              file=sys.stderr)
        return 2
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")      # no sound, as in chokepoint play
    from game.net.client_ui import run_client
    try:
        return run_client(args.address, args.token, size=(w, h), fullscreen=args.fullscreen,
                          screenshot=args.screenshot)
    except JoinError as exc:
        return _fail(str(exc))


"""Faults on a LAN game: a client that drops or is killed rejoins with its pending orders; a
server killed with SIGKILL restarts from its autosave, the clients reconnect by themselves,
and the game ends as one that was never interrupted."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from game.api import Game
from game.net.room import FACILITATOR, ROOM_NAME, Room
from tests.netkit import close_all, free_port, join, join_all, orders_for, serving

ROOT = Path(__file__).resolve().parent.parent


def test_a_client_killed_mid_turn_rejoins_with_its_pending_orders():
    async def go():
        room = Room.new("baseline_2025", seed=4, humans=["US", "CN"], turns=3)
        async with serving(room) as server:
            c = await join_all(server, room, ["US", "CN"])
            assert (await c["US"].submit(orders_for("US", 1)))["ok"]
            await c["US"].close()                           # the laptop's lid shut: the client is gone
            again = await join(server, room.tokens["US"])  # a new client process, the same token
            assert again.welcome["pending"] == orders_for("US", 1) and again.pending == orders_for("US", 1)
            assert again.observation["seat"] == "US"
            # a drop: the connection dies under a live client, which sends what was not acknowledged
            again.drop()
            send = asyncio.create_task(again.submit(["stockpile good=gallium amount=0.5 max_price=900"]))
            ack = await asyncio.wait_for(send, 10)
            assert ack["ok"] and again.connections == 2
            assert (await again.ready())["ok"] and (await c["CN"].ready())["ok"]
            await again.wait_turn(1)
            assert room.game.history[0]["orders"]["US"] == [*orders_for("US", 1),
                                                             "stockpile good=gallium amount=0.5 max_price=900"]
            assert again.pending == []                       # the new turn starts with an empty queue
            assert (await again.submit(orders_for("US", 2)))["ok"]
            await again.close()                              # killed again, after a turn has been played
            third = await join(server, room.tokens["US"])
            await third.wait_for(lambda: third.news is not None, 5)
            assert third.news["turn"] == 1 and third.pending == orders_for("US", 2)
            await close_all(third, c["CN"])
    asyncio.run(go())


def test_a_command_sent_twice_is_carried_out_once():
    async def go():
        room = Room.new("baseline_2025", seed=4, humans=["US"], turns=2)
        async with serving(room) as server:
            us = await join(server, room.tokens["US"])
            body = {"seat": "US", "turn": 0, "orders": orders_for("US", 1)}
            first = await us.request("submit", **body)
            us.seq -= 1                                      # the same command, as a resend is
            second = await us.request("submit", **body)
            assert first == second and room.game.pending("US") == orders_for("US", 1)
            await us.close()
    asyncio.run(go())


def serve_cmd(out: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "game.cli", "serve", "--scenario", "baseline_2025", "--seed", "6",
            "--seats", "US,CN", "--turns", "6", "--port", str(port), "--host", "127.0.0.1", "--out", str(out)]


async def start_server(out: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(serve_cmd(out, port), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env, cwd=ROOT)
    lines = []
    while not any("facilitator" in line and "--token" in line for line in lines):
        line = await asyncio.to_thread(proc.stdout.readline)
        assert line, "the server stopped:\n" + "".join(lines)
        lines.append(line)
    return proc, lines


def test_a_server_killed_mid_game_resumes_from_its_autosave(tmp_path):
    out, port = tmp_path / "class", free_port()
    plan = {t: {s: orders_for(s, t) for s in ("US", "CN")} for t in range(1, 7)}

    async def go():
        proc, lines = await start_server(out, port)
        assert any("chokepoint join" in line and "--token" in line for line in lines)
        tokens = json.loads((out / ROOM_NAME).read_text())["tokens"]
        assert oct((out / ROOM_NAME).stat().st_mode & 0o777) == "0o600"
        address = f"127.0.0.1:{port}"
        c = {s: await join(address, tokens[s]) for s in ("US", "CN")}
        desk = await join(address, tokens[FACILITATOR])
        try:
            for turn in (1, 2, 3):
                for s in c:
                    assert (await c[s].submit(plan[turn][s]))["ok"]
                    assert (await c[s].ready())["ok"]
                await asyncio.gather(*(x.wait_turn(turn) for x in c.values()))
            assert (await c["US"].submit(plan[4]["US"]))["ok"]      # acknowledged, then...
            assert (await c["US"].ready())["ok"]
            assert (await c["CN"].submit(plan[4]["CN"][:1]))["ok"]
            proc.send_signal(signal.SIGKILL)                          # ...the server dies
            proc.wait(10)
            proc, lines = await start_server(out, port)
            assert any("resumed" in line and "turn 3 of 6" in line for line in lines), lines
            await asyncio.gather(*(x.wait_for(lambda x=x: x.connections == 2, 20) for x in [*c.values(), desk]))
            assert c["US"].pending == plan[4]["US"] and c["US"].ready_now
            assert c["CN"].pending == plan[4]["CN"][:1]
            assert (await c["CN"].submit(plan[4]["CN"][1:]))["ok"]
            assert (await c["CN"].ready())["ok"]
            await asyncio.gather(*(x.wait_turn(4) for x in c.values()))
            for turn in (5, 6):
                for s in c:
                    assert (await c[s].submit(plan[turn][s]))["ok"]
                    assert (await c[s].ready())["ok"]
                await asyncio.gather(*(x.wait_turn(turn) for x in [*c.values(), desk]))
            proc.send_signal(signal.SIGTERM)                          # the end of the class
            said = (await asyncio.to_thread(proc.communicate, timeout=15))[0]
            assert "the game is over" in said and "server stopped at turn 6 of 6" in said, said
            return desk.news["digest"], desk.news["over"]
        finally:
            await close_all(desk, *c.values())
            proc.kill()
            proc.wait(10)

    digest, over = asyncio.run(go())
    unbroken = Game("baseline_2025", seed=6, seats={"US": "human", "CN": "human"}, turns=6)
    for turn in range(1, 7):
        for s in ("US", "CN"):
            unbroken.submit(s, plan[turn][s])
        unbroken.step()
    assert over and digest == unbroken.digest()
    assert Game.load(out / "game.save").digest() == digest

"""`chokepoint serve` refuses what it cannot play with a clear error, and plays on from a save."""

from __future__ import annotations

import asyncio

import pytest

from game.api import Game
from game.cli import main
from game.net.room import ROOM_NAME, Room
from game.save import write_save
from tests.netkit import close_all, join_all, orders_for, serving


@pytest.mark.parametrize("argv, words", [
    (["serve"], "--seats: name the seats people play"),
    (["serve", "--seats", "US,XX"], "unknown seat(s): XX"),
    (["serve", "--seats", "US", "--scenario", "no_such_scenario"], "no_such_scenario"),
    (["serve", "--seats", "US", "--turn-timer", "-5"], "--turn-timer"),
    (["serve", "--seats", "US", "--turns", "0"], "--turns must be at least 1"),
    (["serve", "--load", "missing.save"], "missing.save"),
])
def test_serve_says_what_is_wrong(argv, words, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert words in capsys.readouterr().err


def test_a_damaged_room_file_is_refused(tmp_path, capsys):
    (tmp_path / ROOM_NAME).write_text("{not json", encoding="utf-8")
    assert main(["serve", "--out", str(tmp_path)]) == 2
    assert "cannot read the room" in capsys.readouterr().err


def test_a_server_started_from_a_save_plays_on_from_it(tmp_path):
    local = Game("baseline_2025", seed=9, seats={"US": "human"}, turns=4)
    for turn in (1, 2):
        local.submit("US", orders_for("US", turn))
        local.step()
    write_save(local, tmp_path / "old.save")
    room = Room.from_save(tmp_path / "old.save", humans=["CN"], out=tmp_path / "room")
    assert room.game.turn == 2 and sorted(room.humans()) == ["CN", "US"]

    async def go():
        async with serving(room) as server:
            c = await join_all(server, room, ["US", "CN"])
            assert c["US"].observation["turn"] == 2
            for s in c:
                assert (await c[s].submit(orders_for(s, 3)))["ok"]
                assert (await c[s].ready())["ok"]
            await asyncio.gather(*(x.wait_turn(3) for x in c.values()))
            await close_all(*c.values())
    asyncio.run(go())
    local.set_policy("CN", "human")
    for s in ("US", "CN"):
        local.submit(s, orders_for(s, 3))
    local.step()
    assert room.game.digest() == local.digest()
    assert Game.load(tmp_path / "room" / "game.save").digest() == local.digest()

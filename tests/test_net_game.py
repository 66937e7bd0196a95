"""A whole LAN game: eight teams on eight clients, orders every turn, nothing lost or
doubled, and the same game as one played locally with the same orders."""

from __future__ import annotations

import asyncio

from game.api import Game
from game.net.room import Room
from tests.netkit import SEATS8, close_all, facilitator, join_all, orders_for, serving

TURNS = 12


def test_eight_clients_play_twelve_turns_and_the_game_is_the_local_one():
    async def play():
        room = Room.new("baseline_2025", seed=5, humans=SEATS8, turns=TURNS)
        async with serving(room) as server:
            clients = await join_all(server, room, SEATS8)
            desk = await facilitator(server, room)
            sent: dict[int, dict[str, list[str]]] = {}
            for turn in range(1, TURNS + 1):
                async def one_team(seat):
                    c = clients[seat]
                    first, second = orders_for(seat, turn)
                    acks = [await c.submit([first]), await c.submit([second, "stockpile good=gallium amount=9"])]
                    acks.append(await c.withdraw(2))           # takes back the third order
                    assert all(a["ok"] for a in acks), acks
                    assert c.pending == [first, second]
                    assert (await c.ready())["ok"]
                    return seat, [first, second]
                sent[turn] = dict(await asyncio.gather(*(one_team(s) for s in SEATS8)))
                await asyncio.gather(*(c.wait_turn(turn) for c in [*clients.values(), desk]))
                digests = {c.news["digest"] for c in [*clients.values(), desk]}
                assert digests == {room.game.digest()}
                assert all(c.observation["turn"] == turn for c in clients.values())
            await close_all(desk, *clients.values())
        return room, sent

    room, sent = asyncio.run(play())
    assert room.game.over and room.game.turn == TURNS
    for record in room.game.history:                   # what the engine got: each order once
        got = {s: record["orders"].get(s, []) for s in SEATS8}
        assert got == sent[record["turn"]], record["turn"]

    local = Game("baseline_2025", seed=5, seats={s: "human" for s in SEATS8}, turns=TURNS)
    for turn in range(1, TURNS + 1):
        for seat in SEATS8:
            assert local.submit(seat, sent[turn][seat]) == []
        local.step()
    assert local.digest() == room.game.digest()

"""The facilitator's console on a LAN game, through the network: the turn timer and pause,
seats that queued nothing playing their default AI (and told so), events, handing a seat
to the AI and back, revealing every seat, ending the turn."""

from __future__ import annotations

import asyncio
import time

from game.net.room import Room
from tests.netkit import close_all, facilitator, join, join_all, orders_for, serving


def test_the_timer_plays_the_turn_and_an_idle_seat_plays_its_default_ai():
    async def go():
        room = Room.new("baseline_2025", seed=7, humans=["US", "CN"], turns=2)
        async with serving(room) as server:
            c = await join_all(server, room, ["US", "CN"])
            desk = await facilitator(server, room)
            for s in c:                                      # turn 1: no timer, both ready
                assert (await c[s].ready())["ok"]
            await asyncio.gather(*(x.wait_turn(1) for x in [*c.values(), desk]))
            assert desk.news["defaulted"] == []
            assert (await c["CN"].submit(orders_for("CN", 2)))["ok"]   # turn 2: US does nothing
            start = time.perf_counter()
            assert (await desk.set_timer(1))["ok"]           # and the turn has a second
            await c["US"].wait_for(lambda: c["US"].defaulted == ["US"], 10)   # said before it plays
            await asyncio.gather(*(x.wait_turn(2) for x in [*c.values(), desk]))
            assert time.perf_counter() - start > 0.8
            assert desk.news["defaulted"] == ["US"] and c["CN"].news["defaulted"] == ["US"]
            orders = room.game.history[1]["orders"]
            assert orders["CN"] == orders_for("CN", 2) and orders.get("US")      # US's AI gave orders
            assert room.game.seats["US"] == "human"                               # and US is a person's again
            assert desk.news["over"]
            await close_all(desk, *c.values())
    asyncio.run(go())


def test_a_pause_holds_the_timer_and_the_turn():
    async def go():
        room = Room.new("baseline_2025", seed=7, humans=["US", "CN"], turns=2)
        async with serving(room) as server:
            c = await join_all(server, room, ["US", "CN"])
            desk = await facilitator(server, room)
            assert (await desk.pause(True))["ok"]
            assert (await desk.set_timer(1))["ok"]           # set while paused: it waits at 1 s
            await asyncio.sleep(1.5)
            assert room.game.turn == 0
            assert desk.status["paused"] and desk.status["left"] == 1.0
            for s in c:                                      # every person ready: still held
                assert (await c[s].ready())["ok"]
            await asyncio.sleep(0.3)
            assert room.game.turn == 0
            assert (await desk.pause(False))["ok"]
            await asyncio.gather(*(x.wait_turn(1) for x in c.values()))
            assert c["US"].news["defaulted"] == []           # a ready seat passes, no AI for it
            await close_all(desk, *c.values())
    asyncio.run(go())


def test_events_reveal_handing_seats_and_ending_the_turn():
    async def go():
        room = Room.new("baseline_2025", seed=8, humans=["US", "CN"], turns=4)
        async with serving(room) as server:
            c = await join_all(server, room, ["US", "CN"])
            desk = await facilitator(server, room)
            assert desk.welcome["role"] == "facilitator" and desk.observation is None
            assert (await desk.inject("coup"))["ok"]
            bad = await desk.inject("alien_invasion")
            assert not bad["ok"] and "unknown event" in bad["reason"]
            assert (await c["US"].submit(orders_for("US", 1)))["ok"]
            shown = await desk.reveal()
            us_row = next(r for r in shown["result"]["countries"] if r["seat"] == "US")
            assert us_row["player"] == "person" and us_row["pending"] == orders_for("US", 1)
            whole = await desk.reveal("CN")
            assert whole["result"]["observation"]["seat"] == "CN"
            assert desk.status["seats"]["US"]["orders"] == 1 or desk.status["seats"]["US"]["orders"] == 2
            assert "orders" not in c["CN"].status["seats"]["US"]       # the teams do not see counts
            assert (await desk.end_turn())["ok"]
            await asyncio.gather(*(x.wait_turn(1) for x in [*c.values(), desk]))
            assert room.game.history[0]["inject"] == [{"event": "coup"}]
            assert desk.news["defaulted"] == ["CN"]                    # ended early: CN had queued nothing
            # CN to the AI: its client is told, its orders are refused, the turn waits for US only
            assert (await desk.hand("CN", "ai"))["ok"]
            await c["CN"].wait_for(lambda: any("AI" in n for n in c["CN"].notices), 5)
            refused = await c["CN"].submit(orders_for("CN", 2))
            assert not refused["ok"] and "played by the AI" in refused["reason"]
            assert (await c["US"].ready())["ok"]
            await c["US"].wait_turn(2)
            # and back to a person; an AI seat handed to a person gets a token of its own
            assert (await desk.hand("CN", "human"))["result"]["player"] == "person"
            given = await desk.hand("JP", "human")
            jp = await join(server, given["result"]["token"])
            assert jp.seat == "JP" and jp.observation["seat"] == "JP"
            for x in (c["US"], c["CN"], jp):
                assert (await x.ready())["ok"]
            await asyncio.gather(*(x.wait_turn(3) for x in (c["US"], c["CN"], jp)))
            await close_all(desk, jp, *c.values())
    asyncio.run(go())

"""What a client of a LAN game may not do: see or act for another seat, act as the
facilitator, join without the right token; and what a bad message does: it closes that
connection with a reason, and the game goes on for everyone else."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.exceptions import ConnectionClosed

from game.net import protocol as P
from game.net.client import JoinError
from game.net.room import FACILITATOR, Room
from tests.netkit import close_all, join, join_all, orders_for, raw, serving


def room2() -> Room:
    return Room.new("baseline_2025", seed=2, humans=["US", "CN"], turns=3)


async def closed_with(conn) -> tuple[int, str]:
    """The code and reason the server closed `conn` with."""
    with pytest.raises(ConnectionClosed) as info:
        for _ in range(10):
            await asyncio.wait_for(conn.recv(), 10)
    return info.value.rcvd.code, info.value.rcvd.reason


async def a_turn_still_plays(server, clients) -> None:
    turn = clients["US"].turn
    for seat, c in clients.items():
        assert (await c.submit(orders_for(seat, turn + 1)))["ok"]
        assert (await c.ready())["ok"]
    await asyncio.gather(*(c.wait_turn(turn + 1) for c in clients.values()))


def test_a_seat_sees_and_orders_only_for_itself_and_cannot_facilitate():
    async def go():
        room = room2()
        async with serving(room) as server:
            c = await join_all(server, room, ["US", "CN"])
            us = c["US"]
            assert us.observation["seat"] == "US" and "private" in us.observation
            peek = await us.observe("CN")
            assert not peek["ok"] and "cannot see or act for CN" in peek["reason"] and peek["result"] == {}
            for kind, fields in [("submit", {"orders": ["stockpile good=gallium amount=1"], "turn": 0}),
                                 ("withdraw", {"index": 0, "turn": 0}), ("ready", {"turn": 0}),
                                 ("check", {"order": "stockpile good=gallium amount=1"})]:
                ack = await us.request(kind, seat="CN", **fields)
                assert not ack["ok"] and "you play US" in ack["reason"], kind
            assert room.game.pending("CN") == [] and "CN" not in room.ready
            for kind, fields in [("pause", {"paused": True}), ("timer", {"seconds": 5}),
                                 ("inject", {"event": "coup", "turn": 0}), ("reveal", {}),
                                 ("hand", {"seat": "CN", "to": "ai"}), ("end_turn", {"turn": 0})]:
                ack = await us.request(kind, **fields)
                assert not ack["ok"] and "not a command seat US may give" in ack["reason"], kind
            assert not room.paused and room.timer == 0 and room.game.seats["CN"] == "human"
            assert room.game.turn == 0 and room.injected == []
            await a_turn_still_plays(server, c)
            assert c["CN"].news["rejected"] == [r for r in room.last_news["rejected"] if r[0] == "CN"]
            await close_all(*c.values())
    asyncio.run(go())


def test_wrong_missing_and_replayed_tokens_get_nothing():
    async def go():
        room = room2()
        async with serving(room) as server:
            with pytest.raises(JoinError, match="unknown token"):
                await join(server, P.new_token(), reconnect=True)
            async with raw(server) as (conn, challenge):             # no hello at all
                await conn.send(json.dumps({"type": "ready", "seq": 1, "seat": "US", "turn": 0}))
                code, reason = await closed_with(conn)
                assert code == 1008 and "first message must be hello" in reason
            async with raw(server) as (conn, challenge):             # a hello without a proof
                await conn.send(json.dumps({"type": "hello", "client": "abcd"}))
                code, reason = await closed_with(conn)
                assert code == 1008 and "proof" in reason
            async with raw(server) as (conn, challenge):             # overheard: a good hello...
                hello = json.dumps({"type": "hello", "client": "spy1", "proof":
                                    P.proof(room.tokens["US"], challenge["nonce"])})
                await conn.send(hello)
                assert json.loads(await conn.recv())["type"] == "welcome"
            async with raw(server) as (conn, challenge):             # ...sent again on a new connection
                await conn.send(hello)
                code, reason = await closed_with(conn)
                assert code == 4001 and "unknown token" in reason
            c = await join_all(server, room, ["US", "CN"])
            await a_turn_still_plays(server, c)
            await close_all(*c.values())
    asyncio.run(go())


def test_malformed_and_huge_messages_close_only_their_connection():
    async def go():
        room = room2()
        async with serving(room) as server:
            c = await join_all(server, room, ["US", "CN"])
            assert (await c["US"].submit(orders_for("US", 1)))["ok"]
            for bad, code, words in [("{this is not json", 1008, "not JSON"),
                                     (json.dumps({"type": "submit", "seq": 99, "seat": "CN"}), 1008, "bad 'submit'"),
                                     ("x" * (P.MAX_MESSAGE + 10), 1009, "")]:
                async with raw(server) as (conn, challenge):
                    await conn.send(json.dumps({"type": "hello", "client": "mallory",
                                                "proof": P.proof(room.tokens[FACILITATOR], challenge["nonce"])}))
                    assert json.loads(await conn.recv())["type"] == "welcome"
                    await conn.send(bad)
                    got_code, reason = await closed_with(conn)
                    assert got_code == code and words in reason
            assert c["US"].connected and c["CN"].connected
            assert room.game.pending("US") == orders_for("US", 1)    # nothing of US's was harmed
            await a_turn_still_plays(server, c)
            assert room.game.history[0]["orders"]["US"] == orders_for("US", 1) * 2   # before and during
            await close_all(*c.values())
    asyncio.run(go())


def test_a_client_of_another_protocol_version_is_told_so():
    async def go():
        room = room2()
        async with serving(room) as server:
            async with raw(server) as (conn, challenge):
                await conn.send(json.dumps({"type": "hello", "client": "old1", "version": 0,
                                            "proof": P.proof(room.tokens["US"], challenge["nonce"])}))
                code, reason = await closed_with(conn)
                assert code == 1008 and "protocol version 0" in reason
    asyncio.run(go())

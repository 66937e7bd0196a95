"""Helpers for the LAN tests: a real server on a free port of this machine, real clients."""

from __future__ import annotations

import contextlib
import json
import socket

from websockets.asyncio.client import connect

from game.net.client import NetClient
from game.orders import parse_order
from game.net.room import FACILITATOR, Room
from game.net.server import LanServer

SEATS8 = ["US", "CN", "EU", "JP", "KR", "IN", "GB", "AU"]
GOODS = ["gallium", "germanium", "ndpr_oxide", "cobalt_refined"]


def orders_for(seat: str, turn: int) -> list[str]:
    """Two orders a seat gives on a turn, different for every seat and turn (so a lost or
    doubled one shows)."""
    k = SEATS8.index(seat) if seat in SEATS8 else 9
    good = GOODS[(turn + k) % len(GOODS)]
    texts = [f"stockpile good={good} amount={0.01 * turn + 0.001 * (k + 1):.3f} max_price=900",
             f"release_stockpile good={GOODS[(turn + k + 1) % len(GOODS)]} amount={0.0001 * (k + 1):.4f}"]
    return [parse_order(t).text() for t in texts]         # as the engine writes them


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def serving(room: Room):
    server = LanServer(room, host="127.0.0.1", port=0)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def join(server_or_address, token: str, **kwargs) -> NetClient:
    address = server_or_address if isinstance(server_or_address, str) else f"127.0.0.1:{server_or_address.port}"
    client = NetClient(address, token, **kwargs)
    await client.start()
    return client


async def join_all(server, room: Room, seats) -> dict[str, NetClient]:
    return {s: await join(server, room.tokens[s]) for s in seats}


async def facilitator(server, room: Room) -> NetClient:
    return await join(server, room.tokens[FACILITATOR])


@contextlib.asynccontextmanager
async def raw(server):
    """A bare WebSocket to the server, past no hello: (connection, the challenge)."""
    async with connect(f"ws://127.0.0.1:{server.port}", max_size=None) as conn:
        challenge = json.loads(await conn.recv())
        yield conn, challenge


async def close_all(*clients) -> None:
    for c in clients:
        await c.close()


class ServerThread:
    """A server on an event loop of its own thread, for tests whose side is synchronous
    (the game window)."""

    def __init__(self, room: Room):
        import asyncio
        import threading
        self.room, self.loop = room, asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = LanServer(room, host="127.0.0.1", port=0)
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        self.address = f"127.0.0.1:{self.server.port}"

    def stop(self) -> None:
        import asyncio
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

"""A client of a LAN game: joins with a token, keeps the seat's latest observation, news
and the room's status, and sends commands that are acknowledged one by one.

    client = NetClient("192.168.1.10:8765", token)
    await client.start()                       # joined: client.welcome, client.observation
    ack = await client.submit(["stockpile good=gallium amount=1 max_price=900"])
    await client.ready()
    await client.wait_turn(1)                  # the new turn's news and observation are in

When the connection drops (or the server restarts), the client connects again by itself,
with growing pauses, and sends again every command not yet acknowledged; the server knows
them by their `seq` and applies none twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections import OrderedDict

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from game.net import protocol as P

RETRY_FIRST, RETRY_MOST = 0.2, 3.0        # seconds between attempts to reconnect
FINAL_CODES = {1008: "refused", 4000: "replaced", 4001: "unknown token"}


class JoinError(RuntimeError):
    """The server refused this client for good (a wrong token, a bad message) or cannot be reached."""


def ws_url(address: str) -> str:
    """ws://HOST:PORT from HOST:PORT (an address with a scheme is kept)."""
    address = address.strip()
    if address.startswith(("ws://", "wss://")):
        return address
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise JoinError(f"{address!r}: give the server as HOST:PORT, e.g. 192.168.1.10:8765")
    return f"ws://{address}"


class NetClient:
    def __init__(self, address: str, token: str, *, client_id: str | None = None, reconnect: bool = True):
        self.url, self.token = ws_url(address), token
        self.client_id = client_id or secrets.token_hex(8)
        self.reconnect = reconnect
        self.seq = 0
        self.outbox: OrderedDict[int, tuple[dict, asyncio.Future]] = OrderedDict()
        self.welcome: dict | None = None
        self.observation: dict | None = None      # decoded, numpy arrays and all
        self.news: dict | None = None             # the last turn's
        self.status: dict | None = None
        self.progress: tuple[int, int, str] | None = None
        self.defaulted: list[str] = []            # seats playing their default AI this turn
        self.notices: list[str] = []
        self.pending: list[str] = []
        self.ready_now = False
        self.turn = 0
        self._orders_turn = 0
        self.connections = 0
        self.final: JoinError | None = None
        self._conn = None
        self._changed = asyncio.Condition()
        self._joined = asyncio.Event()
        self._task: asyncio.Task | None = None

    @property
    def seat(self) -> str | None:
        return self.welcome["seat"] if self.welcome else None

    @property
    def connected(self) -> bool:
        return self._conn is not None

    # -- connecting ----------------------------------------------------------------------
    async def start(self, timeout: float = 15.0) -> None:
        """Connect and join (a seat: until its observation is in); raises JoinError when
        refused or not joined within `timeout`."""
        self._task = asyncio.create_task(self._run())
        waiter = asyncio.create_task(self._joined.wait())
        done, _ = await asyncio.wait({waiter, self._task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if waiter not in done:
            waiter.cancel()
            if self._task in done:
                self._task.result()             # raises its JoinError
            await self.close()
            raise JoinError(f"{self.url}: no answer from a Chokepoint server within {timeout:.0f} s")

    async def close(self) -> None:
        self.reconnect = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
        for _msg, fut in self.outbox.values():
            if not fut.done():
                fut.cancel()

    def drop(self) -> None:
        """Close the connection as a network fault would (the client then reconnects)."""
        if self._conn is not None:
            self._conn.transport.abort()

    async def _run(self) -> None:
        pause = RETRY_FIRST
        while True:
            try:
                async with connect(self.url, max_size=P.MAX_SERVER_MESSAGE, open_timeout=5,
                                   ping_interval=10, ping_timeout=20) as conn:
                    await self._session(conn)
                    pause = RETRY_FIRST
            except ConnectionClosed as exc:
                code = exc.rcvd.code if exc.rcvd is not None else None
                if code in FINAL_CODES:
                    reason = exc.rcvd.reason or FINAL_CODES[code]
                    # the server's reason usually starts with the code's name already
                    self.final = JoinError(reason if reason.startswith(FINAL_CODES[code])
                                           else f"{FINAL_CODES[code]}: {reason}")
                    await self._notify()
                    raise self.final from None
            except InvalidURI as exc:
                raise JoinError(f"{self.url}: {exc}") from None
            except (OSError, InvalidHandshake, TimeoutError, asyncio.TimeoutError) as exc:
                if not self.reconnect:
                    raise JoinError(f"{self.url}: {exc}") from None
            finally:
                self._conn = None
            if not self.reconnect:
                raise JoinError(f"{self.url}: the connection closed")
            await asyncio.sleep(pause)
            pause = min(RETRY_MOST, pause * 2)

    async def _session(self, conn) -> None:
        challenge = P.decode_server(await conn.recv())
        if challenge.get("type") != "challenge" or challenge.get("protocol") != P.PROTOCOL:
            raise JoinError(f"{self.url}: not a Chokepoint server")
        await conn.send(json.dumps({"type": "hello", "proof": P.proof(self.token, challenge["nonce"]),
                                    "client": self.client_id, "version": P.VERSION}))
        async for raw in conn:
            data = P.decode_server(raw) if not raw.startswith("[") else json.loads(raw)
            for msg in data if isinstance(data, list) else [data]:
                await self._receive(conn, msg)

    async def _receive(self, conn, msg: dict) -> None:
        kind = msg["type"]
        if kind == "welcome":
            self.welcome = msg
            self.turn, self.pending, self.ready_now = msg["turn"], list(msg["pending"]), msg["ready"]
            self._orders_turn = msg["turn"]          # the turns played when `pending` was told
            self.seq = max(self.seq, msg["last_seq"])
            self._conn = conn
            self.connections += 1
            for seq, (body, _fut) in list(self.outbox.items()):      # never acknowledged: again
                await conn.send(json.dumps(body))
            if msg["seat"] is None:
                self._joined.set()
        elif kind == "observation":
            self.observation = P.decode_value(msg["observation"])
            self.turn = msg["turn"]
            self._joined.set()                      # a seat has joined once it can see
        elif kind == "turn":
            if msg["turn"] > self._orders_turn:       # a new turn: last turn's queue is gone
                self.pending, self.ready_now, self.defaulted, self.progress = [], False, [], None
                self._orders_turn = msg["turn"]
            self.news = msg
            if self.seat is None:                    # a seat's turn moves with its observation
                self.turn = max(self.turn, msg["turn"])
        elif kind == "status":
            self.status = msg
        elif kind == "resolving":
            self.defaulted, self.progress = list(msg["defaulted"]), (0, 1, "starting")
        elif kind == "progress":
            self.progress = (msg["done"], msg["total"], msg["phase"])
        elif kind == "notice":
            self.notices.append(msg["text"])
        elif kind == "ack":
            self._acked(msg)
        await self._notify()

    def _acked(self, msg: dict) -> None:
        item = self.outbox.pop(msg["seq"], None)
        if item is None:
            return
        body, fut = item
        result = msg.get("result") or {}
        if msg["ok"] and "pending" in result and body.get("turn") == self.turn:
            self.pending = list(result["pending"])
        if msg["ok"] and body["type"] in ("ready", "unready"):
            self.ready_now = body["type"] == "ready"
        if not fut.done():
            fut.set_result(msg)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate, timeout: float = 30.0) -> None:
        """Until `predicate()` holds (checked after every message); raises JoinError if the
        server refused this client for good, TimeoutError after `timeout` seconds."""
        async def waiting():
            async with self._changed:
                while not predicate():
                    if self.final is not None:
                        raise self.final
                    await self._changed.wait()
        await asyncio.wait_for(waiting(), timeout)

    async def wait_turn(self, turn: int, timeout: float = 30.0) -> None:
        """Until `turn` turns have been played and this seat's view of it has arrived."""
        def arrived():
            news_in = self.news is not None and self.news["turn"] >= turn
            return news_in and (self.seat is None or self.turn >= turn)
        await self.wait_for(arrived, timeout)

    # -- commands ------------------------------------------------------------------------
    async def request(self, kind: str, timeout: float | None = 30.0, **fields) -> dict:
        """Send a command and wait for its ack (kept and sent again across reconnections)."""
        self.seq += 1
        body = {"type": kind, "seq": self.seq, **fields}
        fut = asyncio.get_running_loop().create_future()
        self.outbox[self.seq] = (body, fut)
        if self._conn is not None:
            with contextlib.suppress(ConnectionClosed):
                await self._conn.send(json.dumps(body))
        return await asyncio.wait_for(asyncio.shield(fut), timeout)

    async def submit(self, orders: list[str], turn: int | None = None) -> dict:
        return await self.request("submit", seat=self.seat, turn=self.turn if turn is None else turn,
                                  orders=list(orders))

    async def final_save(self) -> dict:
        return await self.request("final_save")

    async def withdraw(self, index: int) -> dict:
        return await self.request("withdraw", seat=self.seat, turn=self.turn, index=index)

    async def ready(self, ready: bool = True) -> dict:
        return await self.request("ready" if ready else "unready", seat=self.seat, turn=self.turn)

    async def check(self, order: str) -> dict:
        return await self.request("check", seat=self.seat, order=order)

    async def observe(self, seat: str) -> dict:
        return await self.request("observe", seat=seat)

    async def flows(self, good: str) -> dict:
        return await self.request("flows", good=good)

    # -- the facilitator's commands --------------------------------------------------------
    async def pause(self, paused: bool = True) -> dict:
        return await self.request("pause", paused=paused)

    async def set_timer(self, seconds: int) -> dict:
        return await self.request("timer", seconds=int(seconds))

    async def inject(self, event: str) -> dict:
        return await self.request("inject", event=event, turn=self.turn)

    async def reveal(self, seat: str | None = None) -> dict:
        return await self.request("reveal", seat=seat)

    async def hand(self, seat: str, to: str) -> dict:
        return await self.request("hand", seat=seat, to=to)

    async def end_turn(self) -> dict:
        return await self.request("end_turn", turn=self.turn)

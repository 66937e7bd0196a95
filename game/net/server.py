"""The LAN game server: one game, a WebSocket connection per team and one for the facilitator.

    server = LanServer(room, host="0.0.0.0", port=8765)
    asyncio.run(server.serve_forever())

The event loop only reads and writes messages and keeps the clock; every touch of the game
(orders, observations, checks, resolving a turn, autosaving) runs on one worker thread
(`run_in_executor`), one job after another, so the server keeps answering while a turn
resolves and the game never sees two threads. A connection that sends something that is
not a valid message, or a message over the size limit, is closed with the reason; the
others carry on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

from game.net import protocol as P
from game.net.room import FACILITATOR, Room

log = logging.getLogger("chokepoint.net")

HELLO_SECONDS = 10          # a connection must prove its token within this
SEND_SECONDS = 10           # a client that does not take a message within this is dropped
POLICY_VIOLATION = 1008     # WebSocket close codes
REPLACED = 4000
UNKNOWN_TOKEN = 4001


@dataclass(eq=False)
class Session:
    conn: object
    who: str                 # a seat, or FACILITATOR
    client: str

    @property
    def seat(self) -> str | None:
        return None if self.who == FACILITATOR else self.who


class LanServer:
    def __init__(self, room: Room, *, host: str = "0.0.0.0", port: int = 8765, on_turn=None):
        self.room, self.host, self.port = room, host, port
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chokepoint-game")
        self.sessions: dict[str, Session] = {}      # who -> its live session
        self.resolving = False
        self.deadline: float | None = None           # loop time the turn timer runs out
        self.left_paused: float | None = None        # seconds left when paused
        self.on_turn = on_turn
        self.started = asyncio.Event()
        self.server = None
        self.last_ready_at: float | None = None      # perf_counter of the last Ready (for benchmarks)

    # -- running -------------------------------------------------------------------------
    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.server = await serve(self._handle, self.host, self.port, max_size=P.MAX_MESSAGE,
                                  max_queue=16, ping_interval=10, ping_timeout=20)
        self.port = self.server.sockets[0].getsockname()[1]
        self._restart_timer()
        self.clock = asyncio.create_task(self._clock())
        self.started.set()

    async def serve_forever(self) -> None:
        await self.start()
        try:
            await self.server.serve_forever()
        finally:
            await self.stop()

    async def stop(self) -> None:
        if getattr(self, "clock", None):
            self.clock.cancel()
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(Exception):
                await self.server.wait_closed()
        self.pool.shutdown(wait=True)

    async def work(self, fn, *args):
        """Run `fn(*args)` on the game's worker thread."""
        return await self.loop.run_in_executor(self.pool, fn, *args)

    # -- one connection ------------------------------------------------------------------
    async def _handle(self, conn) -> None:
        session = await self._join(conn)
        if session is None:
            return
        try:
            async for raw in conn:
                try:
                    msg = P.parse_client(raw)
                except P.ProtocolError as exc:
                    await conn.close(POLICY_VIOLATION, _short(str(exc)))
                    return
                if not await self._command(session, msg):
                    return
        except ConnectionClosed:
            pass
        finally:
            if self.sessions.get(session.who) is session:
                del self.sessions[session.who]
                await self.broadcast_status()

    async def _join(self, conn) -> Session | None:
        """Challenge, hello, welcome: a session, or None when the connection was refused."""
        nonce = P.new_nonce()
        try:
            await conn.send(P.encode("challenge", protocol=P.PROTOCOL, version=P.VERSION, nonce=nonce))
            raw = await asyncio.wait_for(conn.recv(), HELLO_SECONDS)
            hello = P.parse_client(raw)
        except (TimeoutError, asyncio.TimeoutError):
            await conn.close(POLICY_VIOLATION, "no hello in time")
            return None
        except P.ProtocolError as exc:
            await conn.close(POLICY_VIOLATION, _short(str(exc)))
            return None
        except ConnectionClosed:
            return None
        if not isinstance(hello, P.Hello):
            await conn.close(POLICY_VIOLATION, "the first message must be hello")
            return None
        if hello.version != P.VERSION:
            await conn.close(POLICY_VIOLATION, f"protocol version {hello.version}; this server speaks {P.VERSION}: "
                             "install the server's version of Chokepoint")
            return None
        who = self.room.identify(nonce, hello.proof)
        if who is None:
            await conn.close(UNKNOWN_TOKEN, "unknown token: ask the facilitator for your seat's token")
            return None
        old = self.sessions.get(who)
        session = Session(conn, who, hello.client)
        self.sessions[who] = session
        if old is not None:
            with contextlib.suppress(Exception):
                await old.conn.close(REPLACED, "this seat was joined again from another connection")
        try:
            welcome, news = await self.work(self._welcome_data, session)
            await conn.send(P.encode("welcome", **welcome))
            if session.seat is not None:
                obs = await self.work(self._observation_text, session.seat)
                await conn.send(obs)
            if news is not None:
                await conn.send(P.encode("turn", **news))
        except ConnectionClosed:
            return None
        await self.broadcast_status()
        return session

    def _welcome_data(self, session: Session):
        return self.room.welcome(session.who, session.client), self.room.seat_news(session.seat)

    def _observation_text(self, seat: str) -> str:
        return P.encode("observation", seat=seat, turn=self.room.game.turn,
                        observation=P.encode_value(self.room.game.observe(seat)))

    async def _command(self, session: Session, msg) -> bool:
        """Authorise and carry out one command; False when the connection was closed."""
        allowed = P.FACILITATOR_COMMANDS if session.who == FACILITATOR else P.SEAT_COMMANDS
        if isinstance(msg, P.Hello) or msg.type not in allowed:
            role = "the facilitator" if session.who == FACILITATOR else f"seat {session.who}"
            reason = "already joined" if isinstance(msg, P.Hello) else f"{msg.type!r} is not a command {role} may give"
            await self._send(session, P.encode("ack", **{"seq": getattr(msg, "seq", 0), "ok": False,
                                                        "reason": reason, "result": {}}))
            return True
        ack = await self.work(self.room.command, session.who, session.client, msg)
        await self._send(session, P.encode("ack", **ack))
        if not ack["ok"]:
            return True
        kind = msg.type
        if kind in ("ready", "unready", "submit", "withdraw", "hand", "inject"):
            if kind == "ready":
                self.last_ready_at = time.perf_counter()
            await self.broadcast_status()
        if kind == "pause":
            self._pause(msg.paused)
            await self.broadcast_status()
        elif kind == "timer":
            self._restart_timer()
            await self.broadcast_status()
        elif kind == "end_turn":
            self._resolve_soon(forced=True)
        if kind == "hand" and msg.to == "ai":
            await self._tell_seat(msg.seat, "your seat is played by the AI from now on (the facilitator)")
        elif kind == "hand":
            await self._tell_seat(msg.seat, "your seat is yours to play again")
        await self._maybe_resolve()
        return True

    async def _tell_seat(self, seat: str, text: str) -> None:
        s = self.sessions.get(seat)
        if s is not None:
            await self._send(s, P.encode("notice", text=text))

    # -- turns and the clock -------------------------------------------------------------
    async def _maybe_resolve(self) -> None:
        if not self.resolving and not self.room.paused and await self.work(self.room.all_ready):
            self._resolve_soon(forced=False)

    def _resolve_soon(self, forced: bool) -> None:
        if self.resolving or self.room.game.over:
            return
        self.resolving = True
        asyncio.create_task(self._resolve(forced))

    async def _resolve(self, forced: bool) -> None:
        try:
            defaulted = await self.work(self.room.to_default, forced)
            await self.broadcast(lambda s: P.encode("resolving", turn=self.room.game.turn + 1,
                                                    defaulted=defaulted))
            loop = self.loop

            def heard(done, total, name):
                loop.call_soon_threadsafe(self._progress, done, total, name)

            resolved = await self.work(self.room.resolve, forced, heard)
            texts = await self.work(self._turn_texts)
        except Exception:
            log.exception("resolving the turn failed")
            self.resolving = False
            await self.broadcast(lambda s: P.encode("error", reason="the server could not resolve the turn",
                                                    fatal=False))
            return
        await asyncio.gather(*(self._send(s, texts[s.who]) for s in list(self.sessions.values())
                               if s.who in texts))
        self.resolving = False
        self._restart_timer()
        await self.broadcast_status()
        if self.on_turn is not None:
            self.on_turn(resolved)
        await self._maybe_resolve()

    def _turn_texts(self) -> dict[str, str]:
        """For each joined session: the turn's news then its new observation, one text each
        (so they arrive together); built on the worker, as it reads the game."""
        out = {}
        for who in list(self.sessions):
            seat = None if who == FACILITATOR else who
            text = P.encode("turn", **self.room.seat_news(seat))
            if seat is not None:
                text = f"[{text},{self._observation_text(seat)}]"
            out[who] = text
        return out

    def _progress(self, done: int, total: int, name: str) -> None:
        asyncio.ensure_future(self.broadcast(lambda s: P.encode("progress", done=done, total=total, phase=name)))

    def _restart_timer(self) -> None:
        per_turn = self.room.timer
        self.left_paused = None
        self.deadline = self.loop.time() + per_turn if per_turn else None
        if self.room.paused and per_turn:
            self.left_paused, self.deadline = float(per_turn), None

    def _pause(self, paused: bool) -> None:
        if paused and self.deadline is not None:
            self.left_paused, self.deadline = max(0.0, self.deadline - self.loop.time()), None
        elif not paused and self.left_paused is not None:
            self.deadline, self.left_paused = self.loop.time() + self.left_paused, None

    def timer_left(self) -> float | None:
        if self.left_paused is not None:
            return self.left_paused
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - self.loop.time())

    async def _clock(self) -> None:
        while True:
            await asyncio.sleep(0.2)
            if (self.deadline is not None and not self.room.paused and not self.resolving
                    and self.loop.time() >= self.deadline and not self.room.game.over):
                self.deadline = None
                self._resolve_soon(forced=True)

    # -- sending -------------------------------------------------------------------------
    async def _send(self, session: Session, text: str) -> None:
        try:
            await asyncio.wait_for(session.conn.send(text), SEND_SECONDS)
        except (ConnectionClosed, TimeoutError, asyncio.TimeoutError):
            with contextlib.suppress(Exception):
                await session.conn.close(POLICY_VIOLATION, "too slow to take messages")

    async def broadcast(self, make) -> None:
        sessions = list(self.sessions.values())
        await asyncio.gather(*(self._send(s, make(s)) for s in sessions))

    async def broadcast_status(self) -> None:
        connected = set(self.sessions)
        seat_view, desk_view = await self.work(self._status_views, connected)
        for view in (seat_view, desk_view):
            view.update(left=self.timer_left(), resolving=self.resolving)
        await self.broadcast(lambda s: P.encode("status", **(desk_view if s.who == FACILITATOR else seat_view)))

    def _status_views(self, connected: set[str]) -> tuple[dict, dict]:
        return self.room.status(connected, facilitator=False), self.room.status(connected, facilitator=True)

def _short(reason: str) -> str:
    """A close reason fits in a control frame (123 bytes)."""
    data = reason.encode("utf-8")
    return reason if len(data) <= 120 else data[:117].decode("utf-8", "ignore") + "..."

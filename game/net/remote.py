"""A game on a LAN server seen through the methods of `game.api.Game` that the window calls
(observe, submit, pending, withdraw, check_order, trade_flows, scores, inject, ...), so the
pygame scenes can show a seat of a remote game as they show a local one.

The client's event loop runs on a thread of its own; each call here waits for its answer
(a few milliseconds on a LAN). The scenario is the bundled one the server names, checked
against the server's ruleset hash, so the screens have its names and map.
"""

from __future__ import annotations

import asyncio
import threading

from pathlib import Path

from game.api import HUMAN, Game, OrderCheck, TurnReport
from game.net.client import JoinError, NetClient
from game.rules import RulesError, load_scenario
from game.savefile import write_save_lines

ANSWER_SECONDS = 10


class RemoteModel:
    """The two things the order composer reads from the model: seat kinds and facility ids."""

    def __init__(self, welcome: dict):
        self.kinds = dict(welcome["kinds"])
        self.fac = _Ids(welcome["facilities"])

    def seat_kind(self, seat: str) -> str:
        return self.kinds[seat]


class _Ids:
    def __init__(self, ids):
        self.ids = list(ids)


class RemoteGame:
    HUMAN = HUMAN

    def __init__(self, address: str, token: str, *, join_seconds: float = 15.0):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="chokepoint-client", daemon=True)
        self.thread.start()
        self.client = NetClient(address, token)
        try:
            self._call(self.client.start(join_seconds), join_seconds + 5)
        except BaseException:
            self.close()
            raise
        w = self.client.welcome
        try:
            self.scenario = load_scenario(w["scenario_path"])
        except RulesError as exc:
            self.close()
            raise JoinError(f"the server plays scenario {w['scenario']!r}, which this machine cannot load: {exc}") from None
        if self.scenario.hashes["ruleset"] != w["ruleset_hash"]:
            self.close()
            raise JoinError(f"the server's rules for {w['scenario']!r} differ from this machine's: "
                            "install the same version of Chokepoint as the server")
        self.seed, self.turns = w["seed"], w["turns"]
        self.model = RemoteModel(w)
        self.events = list(w["events"])
        self._flows: dict[tuple[int, str], list] = {}

    def _call(self, coro, timeout: float = ANSWER_SECONDS):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        if self.loop.is_running():
            asyncio.run_coroutine_threadsafe(self.client.close(), self.loop).result(5)
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    # -- what the room is ----------------------------------------------------------------
    @property
    def seat(self) -> str | None:
        return self.client.seat

    @property
    def role(self) -> str:
        return self.client.welcome["role"]

    @property
    def turn(self) -> int:
        return self.client.turn

    @property
    def over(self) -> bool:
        return self.client.turn >= self.turns

    @property
    def seats(self) -> dict[str, str]:
        status = self.client.status
        if not status:
            return dict(self.client.welcome["seats"])
        return {s: HUMAN if row["player"] == "person" else "ai" for s, row in status["seats"].items()}

    @property
    def final(self) -> JoinError | None:
        """Set when the server refused this client for good (e.g. the seat was joined elsewhere)."""
        return self.client.final

    def last_report(self) -> TurnReport | None:
        n = self.client.news
        if n is None:
            return None
        return TurnReport(turn=n["turn"], year=n["year"], events=[tuple(e) for e in n["events"]],
                          accepted=[tuple(a) for a in n["accepted"]], rejected=[tuple(r) for r in n["rejected"]],
                          digest=n["digest"])

    def scores(self, against_baseline: bool = False) -> dict[str, float]:
        n = self.client.news
        return dict(n["scores"]) if n else {}

    # -- a seat's view and orders -----------------------------------------------------------
    def observe(self, seat: str) -> dict:
        if seat != self.seat:
            raise PermissionError(f"this client plays {self.seat}: it cannot see {seat}")
        return self.client.observation

    def submit(self, seat: str, orders) -> list[tuple[str, str]]:
        texts = [orders] if isinstance(orders, str) else [str(o) for o in orders]
        try:
            ack = self._call(self.client.submit(texts))
        except TimeoutError:
            return [(t, "the server has not answered yet; it is sent again when the connection is back")
                    for t in texts]
        if not ack["ok"]:
            return [(t, ack["reason"]) for t in texts]
        return [tuple(r) for r in ack["result"]["rejected"]]

    def pending(self, seat: str) -> list[str]:
        return list(self.client.pending)

    def withdraw(self, seat: str, index: int) -> str:
        ack = self._call(self.client.withdraw(index))
        if not ack["ok"]:
            raise IndexError(ack["reason"])
        return ack["result"]["withdrawn"]

    def check_order(self, seat: str, order) -> OrderCheck:
        try:
            ack = self._call(self.client.check(str(order)))
        except TimeoutError:
            return OrderCheck(str(order), False, "the server has not answered: is the network down?", 0.0, 0)
        if not ack["ok"]:
            return OrderCheck(str(order), False, ack["reason"], 0.0, 0)
        r = ack["result"]
        return OrderCheck(r["text"], r["ok"], r["reason"], r["cost"], r["delay"])

    def trade_flows(self, good: str) -> list[tuple[str, str, float]]:
        key = (self.turn, good)
        if key not in self._flows:
            ack = self._call(self.client.flows(good))
            self._flows[key] = [tuple(f) for f in ack["result"].get("flows", [])] if ack["ok"] else []
        return self._flows[key]

    def ready(self, ready: bool = True) -> dict:
        return self._call(self.client.ready(ready))

    def fetch_final_game(self, folder: Path) -> tuple[Path, Game]:
        """Once the game is over: its whole save from the server, written to `folder` and
        replayed here (every digest checked), for the after-action screen."""
        ack = self._call(self.client.final_save(), 60)
        if not ack["ok"]:
            raise JoinError(f"the server did not give the game's record: {ack['reason']}")
        who = self.seat or "facilitator"
        path = write_save_lines(ack["result"]["lines"],
                                Path(folder) / f"lan-{self.scenario.name}-seed{self.seed}-{who}.save")
        return path, Game.load(path)

    # -- the facilitator's -----------------------------------------------------------------
    def inject(self, event: str, **params) -> None:
        ack = self._call(self.client.inject(event))
        if not ack["ok"]:
            raise ValueError(ack["reason"])

    def command(self, name: str, *args):
        """A facilitator command by its client method name (pause, set_timer, reveal, hand, end_turn)."""
        return self._call(getattr(self.client, name)(*args))

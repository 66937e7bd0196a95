"""A LAN game's state beyond the engine's: who holds which token, who is ready, the orders
each seat has queued, the facilitator's timer and injected events, and the acks already
given, all kept in ROOM_NAME beside the autosave so that a server killed at any moment
restarts where it stood.

The room is plain synchronous code. The server calls it from one worker thread only, so the
game is never touched from two threads at once (game.net.server).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from game.api import HUMAN, Game
from game.net import protocol as P
from game.orders import OrderSyntaxError, parse_order
from game.session import SAVE_NAME

ROOM_NAME = "room.json"
ROOM_FORMAT = "chokepoint-lan-room"
FACILITATOR = "@facilitator"
KEPT_ACKS = 64                  # acks remembered per client, to answer a command sent twice
KEPT_CLIENTS = 256


class RoomError(ValueError):
    """A room that cannot be started or restarted (bad seats, damaged room file)."""


@dataclass
class Resolved:
    """One played turn: the engine's report and the seats that played their default AI."""
    report: object
    defaulted: list[str] = field(default_factory=list)


class Room:
    """The game and the room around it. `out` (a folder) gets the autosave and ROOM_NAME."""

    def __init__(self, game: Game, *, tokens: dict[str, str], out: Path | None = None, timer: int = 0):
        self.game, self.out = game, Path(out) if out else None
        self.tokens = dict(tokens)                 # seat (or FACILITATOR) -> token
        self.timer, self.paused = int(timer), False
        self.ready: set[str] = set()
        self.injected: list[str] = []
        self.seqs: dict[str, int] = {}             # client id -> highest command seq applied
        self.acks: dict[str, OrderedDict] = {}     # client id -> {seq: ack}
        self.last_news: dict | None = None

    # -- starting and restarting ---------------------------------------------------------
    @classmethod
    def new(cls, scenario, *, seed: int, humans: list[str], turns: int | None = None, out: Path | None = None,
            timer: int = 0) -> "Room":
        if not humans:
            raise RoomError("name at least one seat people play (--seats US,CN)")
        seats = {s: HUMAN for s in humans}
        game = Game(scenario, seed=seed, seats=seats, turns=turns)
        tokens = {s: P.new_token() for s in humans}
        tokens[FACILITATOR] = P.new_token()
        room = cls(game, tokens=tokens, out=out, timer=timer)
        room.persist()
        return room

    @classmethod
    def from_save(cls, path: Path, *, humans: list[str] | None = None, out: Path | None = None,
                  timer: int = 0) -> "Room":
        """A room for the game a save holds; `humans` (default: the save's own) play it."""
        game = Game.load(path)
        if humans:
            for seat in humans:
                game.set_policy(seat, HUMAN)
        humans = [s for s, p in game.seats.items() if p == HUMAN]
        if not humans:
            raise RoomError(f"{path}: no seat of this save is played by a person: name them with --seats")
        tokens = {s: P.new_token() for s in humans}
        tokens[FACILITATOR] = P.new_token()
        room = cls(game, tokens=tokens, out=out, timer=timer)
        room.persist()
        return room

    @classmethod
    def restart(cls, out: Path) -> "Room":
        """The room a server left in `out`: the autosaved game (replayed and checked) with the
        tokens, ready seats, queued orders and acks it had when it stopped."""
        out = Path(out)
        try:
            state = json.loads((out / ROOM_NAME).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise RoomError(f"{out / ROOM_NAME}: cannot read the room: {exc}") from None
        if not isinstance(state, dict) or state.get("format") != ROOM_FORMAT:
            raise RoomError(f"{out / ROOM_NAME}: not a Chokepoint LAN room file")
        save = out / SAVE_NAME
        if save.exists():
            game = Game.load(save)
            for seat, policy in state["seats"].items():
                if game.seats.get(seat) != policy:
                    game.set_policy(seat, policy)
        else:
            game = Game(state["scenario"], seed=state["seed"], seats=state["seats"], turns=state["turns"])
        room = cls(game, tokens=state["tokens"], out=out, timer=state.get("timer", 0))
        room.paused = bool(state.get("paused", False))
        room.seqs = {c: int(n) for c, n in state.get("seqs", {}).items()}
        room.acks = {c: OrderedDict((int(k), v) for k, v in acks.items()) for c, acks in state.get("acks", {}).items()}
        room.last_news = state.get("news")
        if state.get("turn") == game.turn:          # else that turn was played and saved already
            room.ready = set(state.get("ready", []))
            for seat, orders in state.get("pending", {}).items():
                game.submit(seat, orders)
            for event in state.get("injected", []):
                game.inject(event)
                room.injected.append(event)
        return room

    def persist(self) -> None:
        """Write ROOM_NAME atomically (owner-only: it holds the tokens)."""
        if self.out is None:
            return
        g = self.game
        state = {
            "format": ROOM_FORMAT, "version": 1, "scenario": _scenario_ref(g), "seed": g.seed, "turns": g.turns,
            "seats": dict(g.seats), "turn": g.turn, "tokens": self.tokens, "timer": self.timer,
            "paused": self.paused, "ready": sorted(self.ready),
            "pending": {s: g.pending(s) for s in self.humans() if g.pending(s)},
            "injected": self.injected, "seqs": self.seqs,
            "acks": {c: {str(k): v for k, v in acks.items()} for c, acks in self.acks.items()},
            "news": self.last_news,
        }
        self.out.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{ROOM_NAME}.", dir=self.out)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:       # mkstemp: mode 0600
                json.dump(state, fh, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.out / ROOM_NAME)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # -- who is who ----------------------------------------------------------------------
    def humans(self) -> list[str]:
        return [s for s, p in self.game.seats.items() if p == HUMAN]

    def identify(self, nonce: str, given: str) -> str | None:
        """The seat (or FACILITATOR) whose token made `given` for this nonce, else None.
        Every token is tried, each in constant time, so timing tells nothing."""
        found = None
        for who, token in list(self.tokens.items()):
            if P.proof_matches(token, nonce, given):
                found = who
        return found

    # -- commands ------------------------------------------------------------------------
    MUTATING = frozenset({"submit", "withdraw", "ready", "unready", "pause", "timer", "inject", "hand", "end_turn"})

    def command(self, who: str, client: str, cmd) -> dict:
        """Carry out one command of `who` (a seat or FACILITATOR) and return its ack. A
        changing command seen before (same client, seq not above the last) is not applied
        again: its first ack is returned."""
        mutating = cmd.type in self.MUTATING
        if mutating and cmd.seq <= self.seqs.get(client, 0):
            old = self.acks.get(client, {}).get(cmd.seq)
            return old if old is not None else _ack(cmd.seq, False, "this command was already carried out")
        try:
            result = getattr(self, f"_do_{cmd.type}")(who, cmd)
            ack = _ack(cmd.seq, True, "", result)
        except Refused as exc:
            ack = _ack(cmd.seq, False, str(exc))
        if mutating:
            self.seqs[client] = cmd.seq
            kept = self.acks.setdefault(client, OrderedDict())
            kept[cmd.seq] = ack
            while len(kept) > KEPT_ACKS:
                kept.popitem(last=False)
            while len(self.acks) > KEPT_CLIENTS:
                oldest = next(iter(self.acks))
                self.acks.pop(oldest)
                self.seqs.pop(oldest, None)
            self.persist()
        return ack

    def _own(self, who: str, seat: str) -> None:
        if seat != who:
            raise Refused(f"you play {who}: you cannot see or act for {seat}")

    def _next_turn(self, who: str, cmd) -> None:
        self._own(who, cmd.seat)
        if cmd.turn != self.game.turn:
            raise Refused(f"turn {cmd.turn + 1} has already been played: this is turn {self.game.turn + 1}")
        if self.game.over:
            raise Refused("the game is over")
        if self.game.seats.get(who) != HUMAN:
            raise Refused(f"{who} is played by the AI now (the facilitator handed it over)")

    def _do_observe(self, who, cmd):
        if who != FACILITATOR:
            self._own(who, cmd.seat)
        if cmd.seat not in self.game.model.seat_agent:
            raise Refused(f"unknown seat {cmd.seat!r}")
        return {"seat": cmd.seat, "observation": P.encode_value(self.game.observe(cmd.seat))}

    def _do_submit(self, who, cmd):
        self._next_turn(who, cmd)
        if who in self.ready:
            raise Refused("you pressed Ready: press it again (not ready) to change your orders")
        rejected, good = [], []
        for text in cmd.orders:
            try:
                good.append(parse_order(text).text())
            except OrderSyntaxError as exc:
                rejected.append([text, str(exc)])
        if good:
            self.game.submit(who, good)
        return {"rejected": rejected, "pending": self.game.pending(who)}

    def _do_withdraw(self, who, cmd):
        self._next_turn(who, cmd)
        if who in self.ready:
            raise Refused("you pressed Ready: press it again (not ready) to change your orders")
        try:
            text = self.game.withdraw(who, cmd.index)
        except IndexError as exc:
            raise Refused(str(exc)) from None
        return {"withdrawn": text, "pending": self.game.pending(who)}

    def _do_ready(self, who, cmd):
        self._next_turn(who, cmd)
        self.ready.add(who)
        return {"ready": True}

    def _do_unready(self, who, cmd):
        self._next_turn(who, cmd)
        self.ready.discard(who)
        return {"ready": False}

    def _do_check(self, who, cmd):
        self._own(who, cmd.seat)
        c = self.game.check_order(who, cmd.order)
        return {"text": c.text, "ok": c.ok, "reason": c.reason, "cost": c.cost, "delay": c.delay}

    def _do_flows(self, who, cmd):
        try:
            return {"good": cmd.good, "flows": [list(f) for f in self.game.trade_flows(cmd.good)]}
        except ValueError as exc:
            raise Refused(str(exc)) from None

    def _do_pause(self, who, cmd):
        self.paused = cmd.paused
        return {"paused": self.paused}

    def _do_timer(self, who, cmd):
        self.timer = cmd.seconds
        return {"timer": self.timer}

    def _do_inject(self, who, cmd):
        if cmd.turn != self.game.turn:
            raise Refused(f"turn {cmd.turn + 1} has already been played: this is turn {self.game.turn + 1}")
        try:
            self.game.inject(cmd.event)
        except ValueError as exc:
            raise Refused(str(exc)) from None
        self.injected.append(cmd.event)
        return {"event": cmd.event, "turn": self.game.turn + 1}

    def _do_reveal(self, who, cmd):
        """Every country's standing and every person's queued orders (or one seat's whole view)."""
        g = self.game
        if cmd.seat is not None:
            return self._do_observe(who, cmd)
        m = g.model
        rows = []
        for i, cid in enumerate(m.countries.ids):
            rows.append({"seat": cid, "player": "person" if g.seats.get(cid) == HUMAN else "AI",
                         "treasury": float(m.treasury[i]), "score": float(m.score[i]),
                         "stability": float(m.stability[i]), "alignment": float(m.alignment[i]),
                         "pending": g.pending(cid)})
        return {"countries": rows}

    def _do_final_save(self, who, cmd):
        """The save of the whole game, once it is over: every seat may then see everything,
        as in the debrief of a local game (before the end it would reveal the others' books)."""
        if not self.game.over:
            raise Refused("the game is not over yet: the whole game's record comes at its end")
        from game.savefile import save_lines
        return {"lines": save_lines(self.game)}

    def _do_hand(self, who, cmd):
        g = self.game
        if cmd.seat not in g.model.seat_agent:
            raise Refused(f"unknown seat {cmd.seat!r}")
        if cmd.to == "ai":
            for _ in range(len(g.pending(cmd.seat))):
                g.withdraw(cmd.seat, 0)
            self.ready.discard(cmd.seat)
            g.set_policy(cmd.seat, g.scenario.seats.get(cmd.seat, "default"))
            return {"seat": cmd.seat, "player": "AI"}
        g.set_policy(cmd.seat, HUMAN)
        token = self.tokens.setdefault(cmd.seat, P.new_token())
        return {"seat": cmd.seat, "player": "person", "token": token}

    def _do_end_turn(self, who, cmd):
        if cmd.turn != self.game.turn:
            raise Refused(f"turn {cmd.turn + 1} has already been played")
        if self.game.over:
            raise Refused("the game is over")
        return {"end_turn": cmd.turn + 1}

    # -- turns ---------------------------------------------------------------------------
    def all_ready(self) -> bool:
        humans = self.humans()
        return bool(humans) and all(s in self.ready for s in humans) and not self.game.over

    def to_default(self, forced: bool) -> list[str]:
        """The person seats that play their default AI this turn: when the turn is forced
        (timer, facilitator), those that are not ready and queued nothing."""
        if not forced:
            return []
        return [s for s in self.humans() if s not in self.ready and not self.game.pending(s)]

    def resolve(self, forced: bool = False, on_phase=None) -> Resolved:
        """Play the turn, autosave it, and make every seat not ready again."""
        g = self.game
        defaulted = self.to_default(forced)
        for seat in defaulted:
            g.set_policy(seat, g.scenario.seats.get(seat, "default"))
        try:
            report = g.step(on_phase=on_phase)
        finally:
            for seat in defaulted:
                g.set_policy(seat, HUMAN)
        self.ready.clear()
        self.injected = []
        self.last_news = news(report, defaulted, g)
        if self.out is not None:
            from game.save import write_save
            write_save(g, self.out / SAVE_NAME)          # the save first: it is what a restart trusts
        self.persist()
        return Resolved(report, defaulted)

    # -- what people see -----------------------------------------------------------------
    def seat_news(self, seat: str | None) -> dict | None:
        """Last turn's news as `seat` may see it: everyone's accepted (public) actions, its
        own refusals (the facilitator: everyone's)."""
        if self.last_news is None:
            return None
        n = dict(self.last_news)
        if seat is not None:
            n["rejected"] = [r for r in n["rejected"] if r[0] == seat]
        return n

    def status(self, connected: set[str], facilitator: bool) -> dict:
        g = self.game
        seats = {}
        for seat in sorted(set(self.humans()) | (set(self.tokens) - {FACILITATOR})):
            row = {"player": "person" if g.seats.get(seat) == HUMAN else "AI",
                   "connected": seat in connected, "ready": seat in self.ready}
            if facilitator:
                row["orders"] = len(g.pending(seat))
            seats[seat] = row
        return {"turn": g.turn, "turns": g.turns, "over": g.over, "seats": seats, "timer": self.timer,
                "paused": self.paused, "facilitator": FACILITATOR in connected,
                "injected": list(self.injected) if facilitator else []}

    def welcome(self, who: str, client: str) -> dict:
        g, sc = self.game, self.game.scenario
        seat = None if who == FACILITATOR else who
        kinds = {s: g.model.seat_kind(s) for s in ([seat] if seat else [])}
        return {"role": "facilitator" if seat is None else "seat", "seat": seat, "scenario": sc.name,
                "scenario_path": _scenario_ref(g), "ruleset_hash": sc.hashes["ruleset"], "seed": g.seed,
                "turn": g.turn, "turns": g.turns, "seats": dict(g.seats), "kinds": kinds,
                "pending": g.pending(seat) if seat else [], "ready": seat in self.ready if seat else False,
                "last_seq": self.seqs.get(client, 0), "events": sorted(sc.events),
                "facilities": list(g.model.fac.ids)}


class Refused(Exception):
    """A command the room will not carry out; its text says why (the connection stays)."""


def _ack(seq: int, ok: bool, reason: str, result: dict | None = None) -> dict:
    return {"seq": seq, "ok": ok, "reason": reason, "result": result or {}}


def news(report, defaulted: list[str], game: Game) -> dict:
    """A turn report as plain data for every client (scores as the local screen shows them)."""
    return {"turn": report.turn, "year": report.year, "events": [list(e) for e in report.events],
            "accepted": [list(a) for a in report.accepted], "rejected": [list(r) for r in report.rejected],
            "digest": report.digest, "defaulted": list(defaulted), "over": game.over,
            "scores": {k: float(v) for k, v in game.scores(against_baseline=False).items()}}


def _scenario_ref(game: Game) -> str:
    """The scenario as a save names it: its bundled name, or its file's path."""
    from game.savefile import header
    return header(game)["scenario_path"]

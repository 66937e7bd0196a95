"""The game window as a client of a LAN server: the local game's main screen for one seat,
or the facilitator's console, driven by a `RemoteGame` (game.net.remote).

The main screen is the local one (game.ui.main_scene.MainScene) with a few methods changed:
End turn (E) tells the server this seat is ready and shows who is still ordering (E again
takes it back, to change the orders); the new turn comes when the server has resolved it,
whoever ended it (every person ready, the timer, the facilitator). The facilitator's
buttons are on the console, not on a seat's screen.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pygame

from game.net.remote import RemoteGame
from game.ui.after_action import AfterActionScene
from game.ui.app import Control
from game.ui.help_scene import HelpScene
from game.ui.main_scene import MainScene
from game.ui.settings import load_settings, saves_dir, settings_path
from game.ui.widgets import BACKGROUND, MUTED, OKABE_ITO, PANEL, TEXT, Button, Fonts, draw_lines

TIMER_STEPS = (0, 60, 180, 300, 600)


class RemoteTimer:
    """The server's turn timer as the top bar shows it (the server decides; this only counts down)."""

    def __init__(self, game: RemoteGame):
        self.game = game
        self.left, self._seen = 0.0, None

    @property
    def per_turn(self) -> int:
        status = self.game.client.status
        return status["timer"] if status else 0

    @property
    def paused(self) -> bool:
        status = self.game.client.status
        return bool(status and status["paused"])

    @paused.setter
    def paused(self, value) -> None:
        """Only the facilitator pauses (the P key of a seat does nothing here)."""

    def tick(self, dt: float) -> None:
        status = self.game.client.status
        if status is not self._seen:
            self._seen = status
            self.left = float(status["left"] or 0.0) if status else 0.0
        elif not self.paused:
            self.left = max(0.0, self.left - dt)

    def restart(self) -> None:
        """The server restarts the timer with each turn."""

    def cycle(self) -> None:
        """Only the facilitator sets the timer."""

    def label(self) -> str:
        if not self.per_turn:
            return "timer off"
        m, s = divmod(int(self.left + 0.999), 60)
        return ("paused " if self.paused else "") + (f"{m}:{s:02d} left" if self.left > 0 else "time is up")


class Waiting:
    """Stands where the local screen's Resolver stands: done when the server's new turn is in."""

    def __init__(self, game: RemoteGame, turn: int):
        self.game, self.turn = game, turn
        self.report, self.error = None, None

    @property
    def done(self) -> bool:
        if self.game.final is not None:
            self.error = self.game.final
            return True
        if self.game.turn > self.turn:
            self.report = self.game.last_report()
            return True
        return False

    @property
    def resolving(self) -> bool:
        return self.game.client.progress is not None

    @property
    def progress(self) -> tuple[int, int, str]:
        return self.game.client.progress or (0, 1, "waiting")

    def waiting_for(self) -> list[str]:
        status = self.game.client.status or {"seats": {}}
        return [s for s, row in status["seats"].items() if row["player"] == "person" and not row["ready"]]


class RemoteMainScene(MainScene):
    name = "main"

    def startup(self, seat: str = "", **kwargs):
        self.seen_turn = self.control.game.turn
        self.notices_seen = len(self.control.game.client.notices)
        self.checkpoint = None          # the server keeps the game and its autosave, not this window
        super().startup(seat=seat)

    def end_turn(self):
        game = self.control.game
        if self.resolver and not self.resolver.resolving:      # ready, waiting: take it back
            ack = game.ready(False)
            if ack["ok"]:
                self.resolver = None
                self.messages = [("Not ready: change your orders, then End turn (E) again.", OKABE_ITO["orange"])]
            return
        super().end_turn()

    def inject(self, event_id: str):
        self.messages = [("Events are the facilitator's: they are set from the facilitator console.",
                          OKABE_ITO["vermillion"])]

    def update(self, dt: float):
        game = self.control.game
        notices = game.client.notices
        if len(notices) > self.notices_seen:
            self.messages = [(notices[-1], OKABE_ITO["purple"])]
            self.notices_seen = len(notices)
        if not self.resolver and (game.turn > self.seen_turn or game.client.progress is not None
                                  or game.final is not None):
            self.resolver = Waiting(game, self.seen_turn)   # ended by the timer or the facilitator
            self.spinner = 0.0
        super().update(dt)
        trouble = self.control.poll_debrief()
        if trouble:
            self.messages = [(trouble, OKABE_ITO["vermillion"])]

    def draw_progress(self, screen):
        f, w = self.control.fonts, self.resolver
        r = pygame.Rect(0, 0, self.map_rect.w * 2 // 3, 150)
        r.center = self.map_rect.center
        pygame.draw.rect(screen, PANEL, r, border_radius=8)
        pygame.draw.rect(screen, OKABE_ITO["sky"], r, 2, border_radius=8)
        if w.resolving:
            done, total, name = w.progress
            screen.blit(f.text(f"The server is resolving turn {self.public['turn'] + 1}: {done} of {total} phases"),
                        (r.x + 20, r.y + 16))
            pygame.draw.rect(screen, (16, 18, 24), (r.x + 20, r.y + 80, r.w - 40, 18))
            pygame.draw.rect(screen, OKABE_ITO["sky"], (r.x + 20, r.y + 80, (r.w - 40) * done // max(1, total), 18))
            defaulted = self.control.game.client.defaulted
            note = (f"The turn ended with nothing queued for {', '.join(defaulted)}: the default AI plays it" if defaulted
                    else "You can look around; the new turn comes in a moment.")
        else:
            others = [s for s in w.waiting_for() if s != self.seat]
            screen.blit(f.text(f"Ready. Waiting for {', '.join(others) or 'the server'} ({self.spinner:.0f} s)"),
                        (r.x + 20, r.y + 16))
            note = "Press End turn (E) again to change your orders before the others are ready."
        screen.blit(f.text(note, "small", MUTED), (r.x + 20, r.y + 112))

    def draw_bar(self, screen):
        super().draw_bar(screen)
        if not self.control.game.client.connected:
            # a band just under the top bar, over the board: the bar's own numbers stay readable
            words = self.control.fonts.text("Connection to the server lost: reconnecting by itself... "
                                            "(your queued orders are kept)", "body", TEXT)
            band = pygame.Rect(0, self.map_rect.y, self.map_rect.width, words.get_height() + 12)
            pygame.draw.rect(screen, OKABE_ITO["vermillion"], band)
            screen.blit(words, (band.x + 12, band.y + 6))

    def draw_facilitator(self, screen):
        self.panel_text(screen, ["The facilitator runs the game from the facilitator console:",
                                 "events, the turn timer, who plays which seat."])


class DebriefLoader:
    """Fetches the finished game's save from the server and replays it here, on a worker
    thread (a few seconds for a whole game), so that the window keeps drawing."""

    def __init__(self, remote):
        self.path = self.game = self.error = None
        self.thread = threading.Thread(target=self._run, args=(remote,), name="chokepoint-debrief", daemon=True)
        self.thread.start()

    def _run(self, remote) -> None:
        try:
            self.path, self.game = remote.fetch_final_game(saves_dir())
        except Exception as exc:  # shown on screen, never lost
            self.error = exc

    @property
    def done(self) -> bool:
        return not self.thread.is_alive()


class FacilitatorScene:
    """The facilitator's console: who has joined and is ready, the timer, pause, events,
    reveal every seat, hand a seat to the AI or back, end the turn."""
    name = "console"

    def __init__(self, control):
        self.control, self.game = control, control.game
        self.buttons: list[Button] = []
        self.messages: list[tuple[str, tuple]] = []
        self.revealed: list[dict] | None = None
        self.seat_rows: list[str] = []

    def startup(self, **kwargs):
        self.layout()

    def cleanup(self):
        pass

    def layout(self):
        w, h = self.control.size
        g = self.game
        self.top = [Button("", (40, 90, 220, 44), self.pause, colour=OKABE_ITO["orange"]),
                    Button("", (270, 90, 220, 44), self.cycle_timer, colour=(60, 70, 90)),
                    Button("End the turn now", (500, 90, 220, 44), self.end_turn, colour=OKABE_ITO["vermillion"]),
                    Button("Reveal all", (730, 90, 220, 44), self.reveal, colour=OKABE_ITO["purple"])]
        self.seat_rows = self.seats_shown()
        self.hand_buttons = [Button("", (360, 200 + i * 40, 170, 34), lambda s=s: self.hand(s), size="small")
                             for i, s in enumerate(self.seat_rows)]
        x = w - 330
        self.event_buttons = [Button(e, (x, 200 + i * 44, 290, 38), lambda e=e: self.inject(e),
                                     colour=OKABE_ITO["purple"], size="small") for i, e in enumerate(g.events)]
        self.buttons = self.top + self.hand_buttons + self.event_buttons

    def seats_shown(self) -> list[str]:
        """The great powers and every seat that has a token (a person plays it, or did)."""
        powers = [c for c, v in self.game.scenario.countries.items() if v.kind == "great_power"]
        return sorted(set(powers) | set(self.game.seats))

    # -- commands ------------------------------------------------------------------------
    def _say(self, ack, done: str) -> None:
        ok = ack["ok"]
        self.messages = [(done if ok else f"Refused: {ack['reason']}", OKABE_ITO["green"] if ok else OKABE_ITO["vermillion"])]

    def pause(self):
        paused = not self.control.timer.paused
        self._say(self.game.command("pause", paused), "Paused: the timer stops and the turn waits." if paused
                  else "Resumed.")

    def cycle_timer(self):
        now = self.control.timer.per_turn
        nxt = TIMER_STEPS[(TIMER_STEPS.index(now) + 1) % len(TIMER_STEPS)] if now in TIMER_STEPS else 0
        self._say(self.game.command("set_timer", nxt), f"Turn timer: {nxt // 60} min a turn" if nxt else "Timer off")

    def end_turn(self):
        self._say(self.game.command("end_turn"), "Ending the turn: seats that queued nothing play their default AI.")

    def reveal(self):
        ack = self.game.command("reveal", None)
        if ack["ok"]:
            self.revealed = ack["result"]["countries"]
        self._say(ack, "Every country's standing, and the orders people have queued:")

    def hand(self, seat: str):
        status = self.game.client.status or {"seats": {}}
        person = status["seats"].get(seat, {}).get("player") == "person"
        ack = self.game.command("hand", seat, "ai" if person else "human")
        token = ack.get("result", {}).get("token")
        self._say(ack, f"{seat} is played by the AI from now on." if person else
                  f"{seat} is a person's: chokepoint join ... --token {token}")

    def inject(self, event: str):
        try:
            self.game.inject(event)
            self.messages = [(f"{event} will happen at the start of next turn.", OKABE_ITO["purple"])]
        except ValueError as exc:
            self.messages = [(f"Refused: {exc}", OKABE_ITO["vermillion"])]

    # -- the loop ------------------------------------------------------------------------
    def handle_event(self, event):
        if event.type == pygame.KEYDOWN and event.key == pygame.K_p:
            self.pause()
            return
        for b in self.buttons:
            if b.handle(event):
                return

    def update(self, dt: float):
        if self.game.over:                                # the debrief, for the room's screen
            self.control.open_debrief()
            trouble = self.control.poll_debrief()
            if trouble:
                self.messages = [(trouble, OKABE_ITO["vermillion"])]
        if self.seats_shown() != self.seat_rows:          # a seat was given to a person
            self.layout()
        self.control.timer.tick(dt)
        status = self.game.client.status or {"seats": {}, "paused": False}
        self.top[0].label = "Resume (P)" if status["paused"] else "Pause (P)"
        per = self.control.timer.per_turn
        self.top[1].label = f"Timer: {per // 60} min" if per else "Timer: off"
        for seat, b in zip(self.seat_rows, self.hand_buttons):
            person = status["seats"].get(seat, {}).get("player") == "person"
            b.label = "hand to the AI" if person else "give to a person"
            b.colour = OKABE_ITO["blue"] if person else (60, 70, 90)

    def draw(self, screen):
        f, g = self.control.fonts, self.game
        screen.fill(BACKGROUND)
        status = g.client.status or {"seats": {}, "turn": g.turn, "turns": g.turns}
        head = (f"Facilitator console: {g.scenario.name}, seed {g.seed}, turn {min(status['turn'] + 1, g.turns)} "
                f"of {g.turns}  |  {self.control.timer.label()}")
        screen.blit(f.text(head, "body", OKABE_ITO["orange"]), (40, 40))
        for b in self.buttons:
            b.draw(screen, f)
        cols = (40, 120, 210, 270, 320)
        _row(screen, f, ("seat", "played by", "joined", "ready", "orders"), cols, 172, MUTED)
        for i, seat in enumerate(self.seat_rows):
            row = status["seats"].get(seat, {"player": "AI", "connected": False, "ready": False, "orders": 0})
            cells = (seat, row["player"], "yes" if row["connected"] else "-", "yes" if row["ready"] else "-",
                     str(row.get("orders", 0)))
            _row(screen, f, cells, cols, 206 + i * 40, OKABE_ITO["green"] if row["ready"] else TEXT)
        y = 220 + len(self.seat_rows) * 40
        for text, colour in self.messages[-1:]:
            y = draw_lines(screen, f, [text], 40, y, self.control.size[0] - 420, "small", colour)
        y = draw_lines(screen, f, self.news_lines(), 40, y + 8, self.control.size[0] - 420, "small", TEXT)
        if self.revealed:
            self.draw_revealed(screen, y + 12)
        screen.blit(f.text("Make an event happen next turn:", "small", MUTED), (self.control.size[0] - 330, 172))

    def news_lines(self) -> list[str]:
        n = self.game.client.news
        if n is None:
            return ["No turn played yet."]
        lines = [f"Last turn ({n['turn']}): digest {n['digest']}"]
        lines += [f"  event: {text}" for _, text in n["events"]] or ["  no events"]
        if n["defaulted"]:
            lines.append(f"  played by their default AI (nothing queued when the turn ended): {', '.join(n['defaulted'])}")
        lines.append(f"  {len(n['accepted'])} orders carried out, {len(n['rejected'])} refused")
        return lines

    def draw_revealed(self, screen, y: int) -> None:
        """Every country's standing, people's seats first, then by score; people's queued orders."""
        f = self.control.fonts
        cols = (40, 100, 170, 270, 340, 420)
        _row(screen, f, ("seat", "player", "treasury M$", "score", "stability", "queued orders"), cols, y, MUTED)
        rows = sorted(self.revealed, key=lambda r: (r["player"] != "person", -r["score"]))
        for i, r in enumerate(rows[: max(0, (self.control.size[1] - y - 40) // 24)]):
            cells = (r["seat"], r["player"], f"{r['treasury']:,.0f}", f"{r['score']:+.3f}", f"{r['stability']:.2f}",
                     "; ".join(r["pending"])[:70] or "-")
            _row(screen, f, cells, cols, y + 26 + i * 24, TEXT)


def _row(screen, fonts, cells, xs, y: int, colour) -> None:
    for text, x in zip(cells, xs):
        screen.blit(fonts.text(text, "small", colour), (x, y))


class RemoteControl(Control):
    """The window's loop (game.ui.app.Control) for a seat or the console of a remote game."""

    def __init__(self, game: RemoteGame, *, size=(1280, 800), fullscreen=False):
        self.pg = pygame
        flags = pygame.FULLSCREEN if fullscreen else pygame.RESIZABLE
        self.screen = pygame.display.set_mode(size, flags)
        who = game.seat or "facilitator"
        pygame.display.set_caption(f"Chokepoint: {who} (LAN game)")
        self.size = self.screen.get_size()
        self.fonts = Fonts(self.size[1])
        self.game, self.scenario = game, game.scenario
        self.scenario_name, self.seed = game.scenario.name, game.seed
        self.timer = RemoteTimer(game)
        self.last_report = game.last_report()
        self.scores_cache = game.scores()
        self.humans = [game.seat] if game.seat else []
        self.waiting = list(self.humans)
        self.clock = pygame.time.Clock()
        self.running = True
        self.demo_turns, self.screenshots = 0, None
        # what the local screens read off Control: the user's settings (tooltips on or off),
        # and the facilitator's switches, which a seat's window never turns on
        self.settings_file = settings_path()
        self.settings, self.settings_warning = load_settings(self.settings_file)
        self.reveal_all = False
        self.facilitator_unlocked = game.seat is None    # the console's token is its PIN
        self.remote, self.debrief = game, None
        self.scenes = ({"console": FacilitatorScene(self)} if game.seat is None else
                       {"main": RemoteMainScene(self), "help": HelpScene(self)})
        self.scenes["after_action"] = AfterActionScene(self)
        self.scene = None
        self.switch("console" if game.seat is None else "main", seat=game.seat)

    def seat_done(self, seat: str):
        main = self.scenes["main"]
        ack = self.game.ready(True)
        if not ack["ok"]:
            main.messages = [(f"Refused: {ack['reason']}", OKABE_ITO["vermillion"])]
            return
        main.resolver = Waiting(self.game, main.seen_turn)
        main.spinner = 0.0

    def turn_resolved(self, report, error, checkpoint=None):
        main = self.scenes["main"]
        if error is not None:
            main.messages = [(f"Disconnected for good: {error}", OKABE_ITO["vermillion"])]
            self.running = False
            print(f"chokepoint: {error}", file=sys.stderr)
            return
        self.last_report = report
        self.scores_cache = self.game.scores()
        main.seen_turn = self.game.turn
        main.refresh()
        if self.game.over:
            main.messages = [("The game is over: fetching the whole game from the server for the debrief...",
                              OKABE_ITO["orange"])]
            self.open_debrief()
        elif self.game.client.news and self.game.client.news["defaulted"]:
            who = ", ".join(self.game.client.news["defaulted"])
            main.messages = [(f"{who} had queued nothing when the turn ended: the default AI played last turn.",
                              OKABE_ITO["orange"])]

    def switch(self, name: str, **kwargs) -> None:
        if name == "title":             # a LAN window has no title screen: leaving it closes it
            self.running = False
            return
        super().switch(name, **kwargs)

    def open_debrief(self) -> None:
        """At the end of the game: fetch the whole game from the server (on a worker thread)."""
        if self.debrief is None:
            self.debrief = DebriefLoader(self.remote)

    def poll_debrief(self) -> str | None:
        """Once the whole game is here, show the after-action screen on it; says what went wrong."""
        loader = self.debrief
        if loader is None or not loader.done or self.scene.name == "after_action":
            return None
        if loader.error is not None:
            return (f"The debrief could not be loaded ({loader.error}); the facilitator has the save: "
                    "chokepoint report SAVE")
        self.game, self.save_path = loader.game, loader.path
        self.switch("after_action")
        return None

    def hand_seat(self, seat: str) -> str:
        return "Only the facilitator console hands seats over."

    def save_game(self):
        return "the server's autosave (it saves after every turn)"



def run_client(address: str, token: str, *, size=(1280, 800), fullscreen=False, screenshot: Path | None = None) -> int:
    """Join the server and open the window; with `screenshot`, save the first screen and quit."""
    game = RemoteGame(address, token)             # raises JoinError before any window opens
    pygame.init()
    try:
        control = RemoteControl(game, size=size, fullscreen=fullscreen)
        if screenshot is not None:
            pygame.mouse.set_pos((control.size[0] - 2, control.size[1] - 2))   # no tooltip in the picture
            for _ in range(3):
                control.frame()
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            pygame.image.save(control.screen, str(screenshot))
            print(f"wrote {screenshot}")
        else:
            control.run()
    finally:
        pygame.quit()
        game.close()
    return 0

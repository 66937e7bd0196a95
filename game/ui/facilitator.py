"""The facilitator's controls beyond events: hand a seat to the AI or back to a person, and
a turn timer, a pause (P) that stops the timer and holds every End turn, reveal all, and
end the turn for everyone. The timer only warns; ending the turn stays with the players (or
the facilitator's "end for everyone"), so a class is never cut off mid-order.
"""

from __future__ import annotations

import pygame

from game.ui.widgets import MUTED, OKABE_ITO, TEXT, Button, TextBox, draw_lines, wrap_pixels

TIMER_CHOICES = (0, 180, 300, 600)           # seconds per turn; 0 = no timer


class TurnTimer:
    """Seconds left in the turn; counts down while not paused and no turn resolves."""

    def __init__(self):
        self.per_turn, self.left, self.paused = 0, 0.0, False

    def cycle(self) -> None:
        i = TIMER_CHOICES.index(self.per_turn)
        self.per_turn = TIMER_CHOICES[(i + 1) % len(TIMER_CHOICES)]
        self.restart()

    def restart(self) -> None:
        self.left = float(self.per_turn)

    def tick(self, dt: float) -> None:
        if self.per_turn and not self.paused:
            self.left = max(0.0, self.left - dt)

    def label(self) -> str:
        if not self.per_turn:
            return "timer off"
        m, s = divmod(int(self.left + 0.999), 60)
        return ("paused " if self.paused else "") + (f"{m}:{s:02d} left" if self.left > 0 else "time is up")


class SeatControls:
    """One button per great power: who plays it now, and a click hands it over."""

    def __init__(self, scene):
        self.scene, self.control = scene, scene.control

    def layout(self, x: int, y: int, width: int) -> None:
        game = self.control.game
        powers = [c for c, v in game.scenario.countries.items() if v.kind == "great_power"]
        w = (width - 6 * (len(powers) - 1)) // max(1, len(powers))
        self.buttons = [Button("", (x + i * (w + 6), y, w, 40), lambda s=s: self.hand(s), size="small")
                        for i, s in enumerate(powers)]
        self.seats = powers
        timer = self.control.timer
        self.timer_button = Button("", (x, y + 52, width // 2 - 4, 40), timer.cycle, colour=(60, 70, 90), size="small")
        self.pause_button = Button("", (x + width // 2 + 4, y + 52, width // 2 - 4, 40), self.pause,
                                   colour=(60, 70, 90), size="small",
                                   tip="Pause the game: the timer stops and nobody can end the turn until resumed")
        self.buttons += [self.timer_button, self.pause_button]

    def pause(self) -> None:
        self.control.timer.paused = not self.control.timer.paused

    def hand(self, seat: str) -> None:
        said = self.control.hand_seat(seat)
        self.scene.messages = [(said, OKABE_ITO["purple"])]

    def refresh_labels(self) -> None:
        """Labels say the state now (set in update, so draw only draws)."""
        game, timer = self.control.game, self.control.timer
        for seat, b in zip(self.seats, self.buttons):
            person = game.seats.get(seat) == "human"
            b.label = f"{seat}: {'person' if person else 'AI'}"
            b.colour = OKABE_ITO["orange"] if person else OKABE_ITO["blue"]
            b.tip = (f"{seat} is played by a person; click to hand it to the AI from next turn" if person else
                     f"{seat} is played by the AI; click to give it to a person (hot seat) from next turn")
            b.enabled = not self.scene.resolver
        self.timer_button.label = f"Turn timer: {timer.per_turn // 60} min" if timer.per_turn else "Turn timer: off"
        self.pause_button.label = "Resume the game (P)" if timer.paused else "Pause the game (P)"


class FacilitatorPanel:
    """The facilitator's tab: events to inject, who plays each power, the timer and pause,
    reveal all, and end the turn for everyone; behind the PIN of the settings, if one is set."""

    def __init__(self, scene):
        self.scene, self.control = scene, scene.control
        self.seat_controls = SeatControls(scene)
        self.pin_box = TextBox((0, 0, 10, 10), self.unlock, "PIN, then Enter")

    @property
    def locked(self) -> bool:
        return bool(self.control.settings.facilitator_pin) and not self.control.facilitator_unlocked

    def unlock(self, text: str) -> None:
        if text.strip() == self.control.settings.facilitator_pin:
            self.control.facilitator_unlocked = True
            self.scene.messages = [("Facilitator controls unlocked for this session.", OKABE_ITO["purple"])]
        else:
            self.scene.messages = [("Wrong PIN: the facilitator controls stay locked.", OKABE_ITO["vermillion"])]
        self.pin_box.value = ""

    def layout(self, panel) -> None:
        x, w = panel.x + 12, panel.w - 24
        y = panel.y + 100
        events = sorted(self.control.game.scenario.events)
        half = (w - 6) // 2
        catalogue = self.control.game.scenario.events
        self.event_buttons = [Button(e, (x + (i % 2) * (half + 6), y + (i // 2) * 44, half, 38),
                                     lambda e=e: self.scene.inject(e), colour=OKABE_ITO["purple"], size="small",
                                     tip=f"{catalogue[e].description} Click: it happens at the start of next turn.")
                              for i, e in enumerate(events)]
        y += -(-len(events) // 2) * 44 + 30
        self.seat_controls.layout(x, y, w)
        y += 104
        self.reveal_button = Button("", (x, y, half, 40), self.toggle_reveal, colour=(60, 70, 90), size="small")
        self.end_all_button = Button("End the turn for everyone", (x + half + 6, y, half, 40), self.end_for_all,
                                     colour=OKABE_ITO["vermillion"], size="small",
                                     tip="Resolve the turn now with the orders people have sent so far; no handover")
        self.buttons = self.event_buttons + self.seat_controls.buttons + [self.reveal_button, self.end_all_button]
        self.reveal_y = y + 52
        self.pin_box.rect = pygame.Rect(x, panel.y + 100, min(260, w), 40)

    def toggle_reveal(self) -> None:
        self.control.reveal_all = not self.control.reveal_all

    def end_for_all(self) -> None:
        said = self.control.end_turn_for_all()
        if said:
            self.scene.messages = [(said, OKABE_ITO["vermillion"])]

    def handle(self, event) -> bool:
        if self.locked:
            return self.pin_box.handle(event)
        if self.scene.resolver:
            return False
        return any(b.handle(event) for b in self.buttons)

    def update(self) -> None:
        self.seat_controls.refresh_labels()
        reveal = self.control.reveal_all
        self.reveal_button.label = "Hide the seats' books" if reveal else "Reveal all seats' books"
        self.reveal_button.tip = ("Reveal all: show every power's treasury, score and pending orders here, and any "
                                  "country's books on the Country tab. Hide it before a player looks.")
        self.end_all_button.enabled = not self.scene.resolver
        self.reveal_lines = self.revealed() if reveal else []

    def revealed(self) -> list[str]:
        """Every power's and every person's books: what only the facilitator may see."""
        game = self.control.game
        seats = [c for c, v in game.scenario.countries.items() if v.kind == "great_power"]
        seats += [s for s in self.control.humans if s not in seats]
        lines = []
        for seat in seats:
            priv = game.observe(seat)["private"]
            who = "person" if game.seats.get(seat) == "human" else "AI"
            lines.append(f"{seat} ({who}): treasury {priv['treasury']:,.0f} M$, score {priv['score']:.3f}")
            pending = game.pending(seat)
            lines += [f"   pending: {t}" for t in pending[:3]] or ["   pending: none"]
        return lines

    def draw(self, screen) -> None:
        f = self.control.fonts
        panel = self.scene.panel
        x, w = panel.x + 12, panel.w - 24
        if self.locked:
            draw_lines(screen, f, ["The facilitator's controls are behind a PIN (set in Settings)."],
                       x, panel.y + 60, w, "small", MUTED)
            self.pin_box.draw(screen, f)
            lines = [t for t, _ in self.scene.messages[-1:]]
            draw_lines(screen, f, lines, x, panel.y + 150, w, "small", OKABE_ITO["vermillion"])
            return
        said = [t for t, _ in self.scene.messages[-1:]] or \
            ["Click an event to make it happen next turn; click a power to hand it over."]
        draw_lines(screen, f, wrap_pixels(f, said[0], w)[:2], x, panel.y + 52, w, "small",
                   OKABE_ITO["purple"] if self.scene.messages else MUTED)
        for b in self.buttons:
            b.draw(screen, f)
        draw_lines(screen, f, self.reveal_lines, x, self.reveal_y, w, "small", TEXT)

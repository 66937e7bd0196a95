"""The facilitator's controls beyond events: hand a seat to the AI or back to a person, and
a turn timer that can be paused (P). The timer only warns; ending the turn stays with the
players, so a class is never cut off mid-order.
"""

from __future__ import annotations

from game.ui.widgets import OKABE_ITO, Button

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
                                   colour=(60, 70, 90), size="small")
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
        self.pause_button.label = "Resume timer (P)" if timer.paused else "Pause timer (P)"

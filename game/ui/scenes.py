"""The scenes: title, new game, main game, hot-seat handover and after-action.

Each scene has startup / cleanup / handle_event / update / draw; `update` changes state and
`draw` only draws. Scenes reach the engine only through `game.api.Game` and `game.save`.
"""

from __future__ import annotations

import threading

import pygame

from game.api import Game
from game.ui.widgets import BACKGROUND, MUTED, OKABE_ITO, PANEL, TEXT, Button, TextBox, draw_lines


class Scene:
    name = "scene"

    def __init__(self, control):
        self.control = control
        self.buttons: list[Button] = []

    def startup(self, **kwargs) -> None:
        self.layout()

    def layout(self) -> None:
        """Place widgets for the current window size."""

    def cleanup(self) -> None:
        pass

    def handle_event(self, event) -> None:
        for button in self.buttons:
            if button.handle(event):
                return

    def update(self, dt: float) -> None:
        pass

    def draw(self, screen) -> None:
        screen.fill(BACKGROUND)


class TitleScene(Scene):
    name = "title"

    def layout(self):
        w, h = self.control.size
        self.buttons = [Button("New game  (N)", (w // 2 - 150, h // 2, 300, 54), self.control.new_game_screen),
                        Button("Quit  (Esc)", (w // 2 - 150, h // 2 + 74, 300, 54), self.control.quit,
                               colour=OKABE_ITO["vermillion"])]

    def handle_event(self, event):
        if event.type == pygame.KEYDOWN and event.key == pygame.K_n:
            self.control.new_game_screen()
        super().handle_event(event)

    def draw(self, screen):
        super().draw(screen)
        w, h = self.control.size
        f = self.control.fonts
        title = f.text("Chokepoint", "title", OKABE_ITO["orange"])
        screen.blit(title, title.get_rect(center=(w // 2, h // 3)))
        sub = f.text("The contest for critical minerals, 2025 onwards: take a side and play", "body", MUTED)
        screen.blit(sub, sub.get_rect(center=(w // 2, h // 3 + 60)))
        for b in self.buttons:
            b.draw(screen, f)


class NewGameScene(Scene):
    """Choose the seats people play; every other seat plays its scenario's AI."""
    name = "new_game"

    def startup(self, **kwargs):
        self.humans: list[str] = list(self.control.options.get("humans", []))
        super().startup()

    def layout(self):
        w, h = self.control.size
        scenario = self.control.scenario
        powers = [c for c, v in scenario.countries.items() if v.kind == "great_power"]
        self.buttons = []
        for i, seat in enumerate(powers):
            self.buttons.append(Button(f"{seat}: {scenario.countries[seat].name}",
                                       (80, 200 + i * 70, 420, 54), lambda s=seat: self.toggle(s)))
        self.buttons.append(Button("Start  (Enter)", (80, h - 120, 300, 54), self.start,
                                   colour=OKABE_ITO["green"]))

    def toggle(self, seat: str):
        if seat in self.humans:
            self.humans.remove(seat)
        else:
            self.humans.append(seat)

    def start(self):
        if self.humans:
            self.control.start_game(self.humans)

    def handle_event(self, event):
        if event.type == pygame.KEYDOWN and event.key == pygame.K_RETURN:
            self.start()
        super().handle_event(event)

    def draw(self, screen):
        super().draw(screen)
        f = self.control.fonts
        screen.blit(f.text("New game: choose the side(s) people play", "title"), (80, 60))
        screen.blit(f.text(f"Scenario {self.control.scenario_name}, seed {self.control.seed}. "
                           "Click a power to play it (click again for AI); several = hot seat.",
                           "body", MUTED), (80, 140))
        for b in self.buttons:
            if ":" in b.label:                       # a seat: orange when a person plays it
                b.colour = OKABE_ITO["orange"] if b.label.split(":")[0] in self.humans else OKABE_ITO["blue"]
            b.draw(screen, f)
        names = ", ".join(self.humans) or "nobody yet: pick at least one"
        screen.blit(f.text(f"People play: {names}"), (560, 215))


class HandoverScene(Scene):
    """Hides the last seat's view until the next player is at the screen."""
    name = "handover"

    def startup(self, seat: str = "", **kwargs):
        self.seat = seat
        super().startup()

    def layout(self):
        w, h = self.control.size
        self.buttons = [Button(f"I am {self.seat}: show my view  (Enter)", (w // 2 - 220, h // 2 + 40, 440, 54),
                               self.reveal, colour=OKABE_ITO["green"])]

    def reveal(self):
        self.control.switch("main", seat=self.seat)

    def handle_event(self, event):
        if event.type == pygame.KEYDOWN and event.key == pygame.K_RETURN:
            self.reveal()
        super().handle_event(event)

    def draw(self, screen):
        super().draw(screen)
        w, h = self.control.size
        f = self.control.fonts
        msg = f.text(f"Pass the screen to {self.seat}", "title", OKABE_ITO["orange"])
        screen.blit(msg, msg.get_rect(center=(w // 2, h // 2 - 40)))
        for b in self.buttons:
            b.draw(screen, f)


class Resolver:
    """Runs `Game.step` on a worker thread so the window keeps drawing."""

    def __init__(self, game: Game):
        self.game, self.report, self.error = game, None, None
        self.progress = (0, 1, "starting")          # (phases done, phases in all, last phase)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _heard(self, done: int, total: int, name: str) -> None:
        self.progress = (done, total, name)         # one assignment: the UI thread reads it whole

    def _run(self):
        try:
            self.report = self.game.step(on_phase=self._heard)
        except Exception as exc:  # shown on screen, never lost
            self.error = exc

    @property
    def done(self) -> bool:
        return not self.thread.is_alive()


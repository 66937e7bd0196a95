"""The small scenes (title, hot-seat handover) and the worker that resolves a turn; the new
game, main game, help, settings and after-action scenes have modules of their own.

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

    def startup(self, **kwargs):
        self.saves, self.message = self.control.recent_saves(), ""
        super().startup()

    def layout(self):
        w, h = self.control.size
        top = h // 2 - (40 if self.saves else 0)
        self.buttons = [Button("New game  (N)", (w // 2 - 150, top, 300, 54), self.control.new_game_screen),
                        Button("Settings  (S)", (w // 2 - 150, top + 74, 300, 54),
                               lambda: self.control.switch("settings", back="title"), colour=(60, 70, 90)),
                        Button("Quit  (Esc)", (w // 2 - 150, top + 148, 300, 54), self.control.quit,
                               colour=OKABE_ITO["vermillion"])]
        self.load_top = top + 222
        for i, path in enumerate(self.saves):        # the newest first: C continues it
            label = f"Continue {path.stem}  (C)" if i == 0 else f"Load {path.stem}"
            self.buttons.append(Button(label, (w // 2 - 250, self.load_top + 34 + i * 40, 500, 34),
                                       lambda p=path: self.load(p), colour=OKABE_ITO["blue"] if i == 0 else (60, 70, 90),
                                       size="small", tip=f"Play on from {path}"))

    def load(self, path) -> None:
        from game.save import SaveError
        try:
            self.control.load_game(path)
        except (SaveError, OSError, ValueError) as exc:
            self.message = f"Could not load {path.name}: {exc}"

    def handle_event(self, event):
        if event.type == pygame.KEYDOWN and event.key == pygame.K_n:
            self.control.new_game_screen()
        elif event.type == pygame.KEYDOWN and event.key == pygame.K_s:
            self.control.switch("settings", back="title")
        elif event.type == pygame.KEYDOWN and event.key == pygame.K_c and self.saves:
            self.load(self.saves[0])
        super().handle_event(event)

    def draw(self, screen):
        super().draw(screen)
        w, h = self.control.size
        f = self.control.fonts
        title = f.text("Chokepoint", "title", OKABE_ITO["orange"])
        screen.blit(title, title.get_rect(center=(w // 2, h // 3)))
        sub = f.text("The contest for critical minerals, 2025 onwards: take a side and play", "body", MUTED)
        screen.blit(sub, sub.get_rect(center=(w // 2, h // 3 + 60)))
        if self.saves:
            head = f.text("Your saved games (the newest first):", "small", MUTED)
            screen.blit(head, head.get_rect(center=(w // 2, self.load_top + 16)))
        for b in self.buttons:
            b.draw(screen, f)
        if self.message:
            draw_lines(screen, f, [self.message], 80, h - 70, w - 160, "small", OKABE_ITO["vermillion"])


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
        game = self.control.game
        name = game.scenario.countries[self.seat].name if self.seat in game.scenario.countries else self.seat
        msg = f.text(f"Pass the screen to {self.seat} ({name})", "title", OKABE_ITO["orange"])
        screen.blit(msg, msg.get_rect(center=(w // 2, h // 2 - 70)))
        note = f.text(f"Turn {min(game.turn + 1, game.turns)} of {game.turns}. The last player's view is hidden; "
                      f"only {self.seat}'s player should look now.", "small", MUTED)
        screen.blit(note, note.get_rect(center=(w // 2, h // 2 - 10)))
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


"""The in-game menu (Esc or the Menu button): resume, save, load a saved game, settings,
help, and leave to the title screen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pygame

from game.ui.scenes import Scene
from game.ui.settings import saves_dir
from game.ui.widgets import MUTED, OKABE_ITO, Button, draw_lines, wrap_pixels

GREY = (60, 70, 90)


def saved_games(*folders: Path, limit: int = 8) -> list[Path]:
    """The newest .save files of the folders, newest first."""
    found = {p.resolve() for d in folders if d and d.is_dir() for p in d.glob("*.save")}
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)[:limit]


class MenuScene(Scene):
    name = "menu"

    def startup(self, seat: str = "", **kwargs):
        self.seat, self.message, self.error = seat, "", False
        self.saves = saved_games(saves_dir(), self.control.save_path.parent)
        super().startup()

    def layout(self):
        w, h = self.control.size
        x, y, bw = 80, 130, 360
        actions = [("Resume  (Esc)", self.resume, OKABE_ITO["green"]), ("Save now  (Ctrl+S)", self.save, OKABE_ITO["blue"]),
                   ("Settings", self.settings, OKABE_ITO["blue"]), ("Help and glossary  (H)", self.help, OKABE_ITO["blue"]),
                   ("Leave to the title screen", self.leave, OKABE_ITO["vermillion"])]
        self.buttons = [Button(label, (x, y + i * 66, bw, 54), action, colour=colour)
                        for i, (label, action, colour) in enumerate(actions)]
        self.load_buttons = []
        lx = x + bw + 60
        for i, path in enumerate(self.saves):
            when = dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%d %b %H:%M")
            b = Button(f"{path.stem}  ({when})", (lx, y + 40 + i * 50, min(620, w - lx - 40), 42),
                       lambda p=path: self.load(p), colour=GREY, size="small", tip=str(path))
            self.load_buttons.append(b)
        self.buttons += self.load_buttons

    def resume(self):
        self.control.switch("main", seat=self.seat, keep=True)

    def save(self):
        try:
            path = self.control.save_game()
        except OSError as exc:
            self.message, self.error = f"Could not save to {self.control.save_path}: {exc}", True
            return
        self.message, self.error = f"Saved to {path}", False
        self.saves = saved_games(saves_dir(), self.control.save_path.parent)
        self.layout()

    def load(self, path: Path):
        from game.save import SaveError
        try:
            self.control.load_game(path)
        except (SaveError, OSError, ValueError) as exc:
            self.message, self.error = f"Could not load {path.name}: {exc}", True

    def settings(self):
        self.control.switch("settings", back="main", seat=self.seat)

    def help(self):
        self.control.switch("help", seat=self.seat)

    def leave(self):
        self.control.switch("title")

    def handle_event(self, event):
        if event.type == pygame.KEYDOWN:
            if event.key == pygame.K_ESCAPE:
                self.resume()
                return
            if event.key == pygame.K_s and event.mod & pygame.KMOD_CTRL:
                self.save()
                return
            if event.key in (pygame.K_h, pygame.K_F1):
                self.help()
                return
        super().handle_event(event)

    def draw(self, screen):
        super().draw(screen)
        f = self.control.fonts
        w, h = self.control.size
        game = self.control.game
        screen.blit(f.text("Menu", "title"), (80, 40))
        screen.blit(f.text(f"{self.seat}, turn {game.turn} of {game.turns}; autosave: {self.control.save_path}",
                           "small", MUTED), (80, 100))
        lx = self.load_buttons[0].rect.x if self.load_buttons else 500
        screen.blit(f.text("Load a saved game (click one):" if self.saves else "No saved games yet.", "body"),
                    (lx, 130))
        for b in self.buttons:
            b.draw(screen, f)
        if self.message:
            colour = OKABE_ITO["vermillion"] if self.error else OKABE_ITO["green"]
            draw_lines(screen, f, wrap_pixels(f, self.message, w - 160), 80, h - 90, w - 160, "small", colour)

"""Settings kept between sessions, and the scene that changes them.

A small JSON file in the user's config directory ($XDG_CONFIG_HOME/chokepoint, else
~/.config/chokepoint): window size, full screen, autosave, tooltips and the facilitator's
PIN. A file that cannot be read is reported and the defaults used; one that cannot be
written is reported on the settings screen and the settings last for this session only.
Saved games go in the user's data directory ($XDG_DATA_HOME/chokepoint/saves, else
~/.local/share/chokepoint/saves) unless the game was loaded from a file elsewhere.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import pygame

from game.ui.scenes import Scene
from game.ui.widgets import MUTED, OKABE_ITO, Button, TextBox, draw_lines, draw_tooltip, hovered_tip, wrap_pixels

SIZES = ((1280, 800), (1440, 900), (1600, 900), (1920, 1080))
GREY = (60, 70, 90)


class SettingsError(OSError):
    """The settings file could not be written."""


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "chokepoint"


def saves_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "chokepoint" / "saves"


@dataclass
class Settings:
    width: int = 1280
    height: int = 800
    fullscreen: bool = False
    autosave: bool = True
    tooltips: bool = True
    facilitator_pin: str = ""            # digits; empty = the facilitator tab opens without one

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height


def settings_path() -> Path:
    return config_dir() / "settings.json"


def load_settings(path: Path | None = None) -> tuple[Settings, str]:
    """The saved settings (defaults where the file has none) and a warning, "" if none."""
    path = path or settings_path()
    if not path.exists():
        return Settings(), ""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        return Settings(), f"The settings file {path} could not be read ({exc}); using the defaults."
    known = {f.name: f for f in fields(Settings)}
    values = {}
    for name, value in data.items():
        f = known.get(name)
        if f is None:
            continue
        wanted = {"int": int, "bool": bool, "str": str}[f.type if isinstance(f.type, str) else f.type.__name__]
        if isinstance(value, wanted) and not (wanted is int and isinstance(value, bool)):
            values[name] = value
    settings = Settings(**values)
    if settings.width < 1280 or settings.height < 800:
        settings.width, settings.height = Settings.width, Settings.height
    return settings, ""


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    path = path or settings_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(asdict(settings), indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise SettingsError(f"Could not save the settings to {path}: {exc.strerror or exc}. "
                            "They apply until you close the game.") from None
    return path


class SettingsScene(Scene):
    """Each row is one setting; a click changes it, applies it and writes the file."""
    name = "settings"

    def startup(self, back: str = "title", seat: str = "", **kwargs):
        self.back_to, self.seat = back, seat
        self.message, self.error = "", False
        self.pin_box = TextBox((0, 0, 10, 10), self.set_pin, "no PIN")
        self.pin_box.value = self.control.settings.facilitator_pin
        super().startup()

    def rows(self) -> list[tuple[str, str, object, str]]:
        s = self.control.settings
        on = {True: "on", False: "off"}
        return [("Window size", f"{s.width} x {s.height}", self.next_size,
                 "The window's size when not full screen; you can also drag its edges"),
                ("Full screen", on[s.fullscreen], self.toggle("fullscreen"), "Fill the whole screen (for a projector)"),
                ("Autosave every turn", on[s.autosave], self.toggle("autosave"),
                 f"After each turn the game is saved in {saves_dir()} (or next to a game you loaded)"),
                ("Tooltips", on[s.tooltips], self.toggle("tooltips"), "Plain-words boxes when the mouse rests on a number"),
                ("Colours", "Okabe-Ito (colour-blind safe)", None,
                 "The only palette: its colours stay distinct with the common kinds of colour blindness"),
                ("Sound", "none", None, "The game makes no sound")]

    def layout(self):
        w, h = self.control.size
        x, y = 80, 140
        self.buttons = []
        for i, (label, value, action, tip) in enumerate(self.rows()):
            b = Button(value, (x + 360, y + i * 60, 420, 46), action or (lambda: None),
                       colour=OKABE_ITO["blue"] if action else GREY, size="small", tip=tip)
            b.enabled = action is not None
            b.setting = label
            self.buttons.append(b)
        self.pin_box.rect = pygame.Rect(x + 360, y + len(self.rows()) * 60, 200, 46)
        self.buttons.append(Button("Back  (Esc)", (x, h - 100, 260, 54), self.back, colour=OKABE_ITO["green"]))

    def next_size(self) -> None:
        s = self.control.settings
        i = SIZES.index(s.size) if s.size in SIZES else -1
        s.width, s.height = SIZES[(i + 1) % len(SIZES)]
        self.changed(display=True)

    def toggle(self, name: str):
        def flip():
            setattr(self.control.settings, name, not getattr(self.control.settings, name))
            self.changed(display=name == "fullscreen")
        return flip

    def set_pin(self, text: str) -> None:
        text = text.strip()
        if text and not (text.isdigit() and 4 <= len(text) <= 8):
            self.message, self.error = "The PIN must be 4 to 8 digits, or empty for none.", True
            return
        self.control.settings.facilitator_pin = text
        self.pin_box.focused = False
        self.changed()

    def changed(self, display: bool = False) -> None:
        if display:
            self.control.apply_display()
        try:
            path = save_settings(self.control.settings, self.control.settings_file)
            self.message, self.error = f"Saved in {path}", False
        except SettingsError as exc:
            self.message, self.error = str(exc), True
        self.layout()

    def back(self) -> None:
        if self.back_to == "main":
            self.control.switch("main", seat=self.seat, keep=True)
        else:
            self.control.switch(self.back_to)

    def handle_event(self, event):
        if self.pin_box.handle(event):
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            self.back()
            return
        super().handle_event(event)

    def draw(self, screen):
        super().draw(screen)
        f = self.control.fonts
        w, h = self.control.size
        screen.blit(f.text("Settings", "title"), (80, 40))
        for b, (label, _, _, _) in zip(self.buttons, self.rows()):
            screen.blit(f.text(label, "body"), (80, b.rect.y + 10))
            b.draw(screen, f)
        screen.blit(f.text("Facilitator PIN", "body"), (80, self.pin_box.rect.y + 10))
        self.pin_box.draw(screen, f)
        draw_lines(screen, f, ["4-8 digits, Enter to set; empty: none"], self.pin_box.rect.right + 16,
                   self.pin_box.rect.y + 12, w - self.pin_box.rect.right - 40, "small", MUTED)
        self.buttons[-1].draw(screen, f)
        if self.message:
            colour = OKABE_ITO["vermillion"] if self.error else MUTED
            draw_lines(screen, f, wrap_pixels(f, self.message, w - 160), 80, h - 170, w - 160, "small", colour)
        if self.control.settings_warning:
            draw_lines(screen, f, wrap_pixels(f, self.control.settings_warning, w - 160), 80, 100, w - 160, "small",
                       OKABE_ITO["orange"])
        if self.control.settings.tooltips:
            mouse = pygame.mouse.get_pos()
            draw_tooltip(screen, f, hovered_tip(self.buttons, mouse), mouse)

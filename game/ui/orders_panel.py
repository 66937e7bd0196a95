"""The orders tab: pick an action and its fields, see whether the engine would carry it out
and what it costs before adding it to the turn, and take back queued orders.

The check is `Game.check_order`, the engine's own adjudication run on a throwaway copy of
the world; it runs when the composed order changes, never in `draw`.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, fields

import pygame

from game.orders import EXPORT_MODES, ORDER_TYPES, TECH_AREAS, describe_actions
from game.ui.widgets import MUTED, OKABE_ITO, TEXT, Button, TextBox, draw_lines, wrap

_PLAIN = re.compile(r"[A-Za-z0-9_.,:/@%+\-]+")
HELP = {a: doc for a, _, doc in describe_actions()}


class Picker:
    """One value out of a list: click the arrows or turn the wheel to step, click the value
    and type to jump to the first choice that starts with (or holds) what is typed."""

    def __init__(self, name: str, rect, choices: list[str], value: str | None = None):
        self.name, self.rect, self.choices = name, pygame.Rect(rect), list(choices) or [""]
        self.index = self.choices.index(value) if value in self.choices else 0
        self.focused, self.search = False, ""

    @property
    def value(self) -> str:
        return self.choices[self.index]

    def step(self, by: int) -> None:
        self.index = (self.index + by) % len(self.choices)

    def handle(self, event) -> bool:
        if event.type == pygame.MOUSEWHEEL and self.rect.collidepoint(pygame.mouse.get_pos()):
            self.step(-event.y)
            return True
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            if not self.rect.collidepoint(event.pos):
                self.focused = False
                return False
            x = event.pos[0] - self.rect.x
            if x < 34 or x > self.rect.w - 34:
                self.step(-1 if x < 34 else 1)
            else:
                self.focused, self.search = True, ""
            return True
        if not self.focused:
            return False
        if event.type == pygame.TEXTINPUT:
            self.search += event.text
            self._jump()
            return True
        if event.type == pygame.KEYDOWN:
            if event.key == pygame.K_BACKSPACE:
                self.search = self.search[:-1]
            elif event.key in (pygame.K_DOWN, pygame.K_RIGHT):
                self.step(1)
            elif event.key in (pygame.K_UP, pygame.K_LEFT):
                self.step(-1)
            elif event.key in (pygame.K_RETURN, pygame.K_ESCAPE, pygame.K_TAB):
                self.focused = False
            return True
        return False

    def _jump(self) -> None:
        s = self.search.lower()
        hits = [i for i, c in enumerate(self.choices) if c.lower().startswith(s)] or \
               [i for i, c in enumerate(self.choices) if s in c.lower()]
        if hits:
            self.index = hits[0]

    def draw(self, screen, fonts) -> None:
        pygame.draw.rect(screen, (16, 18, 24), self.rect, border_radius=4)
        pygame.draw.rect(screen, OKABE_ITO["sky"] if self.focused else MUTED, self.rect, 2, border_radius=4)
        for text, x in (("<", self.rect.x + 10), (">", self.rect.right - 22)):
            arrow = fonts.text(text, "body", OKABE_ITO["sky"])
            screen.blit(arrow, (x, self.rect.centery - arrow.get_height() // 2))
        label = self.value + (f"   (typed: {self.search})" if self.focused and self.search else "")
        shown = fonts.text(label)
        screen.blit(shown, (self.rect.x + 36, self.rect.centery - shown.get_height() // 2),
                    pygame.Rect(0, 0, self.rect.w - 72, shown.get_height()))


class NumberBox(TextBox):
    """A number typed in, or stepped with the - / + ends and the mouse wheel."""

    def __init__(self, name: str, rect, value: float, whole: bool):
        super().__init__(rect, lambda _text: None)
        self.name, self.whole = name, whole
        self.value = _number_text(value, whole)

    def step(self, sign: int) -> None:
        try:
            now = float(self.value)
        except ValueError:
            now = 0.0
        size = 1.0 if self.whole or abs(now) >= 10 or now == 0 else 0.05
        if abs(now) >= 10:
            size = 10 ** (len(str(int(abs(now)))) - 1)
        self.value = _number_text(max(0.0, now + sign * size), self.whole)

    def handle(self, event) -> bool:
        if event.type == pygame.MOUSEWHEEL and self.rect.collidepoint(pygame.mouse.get_pos()):
            self.step(1 if event.y > 0 else -1)
            return True
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self.rect.collidepoint(event.pos):
            x = event.pos[0] - self.rect.x
            if x < 34 or x > self.rect.w - 34:
                self.step(-1 if x < 34 else 1)
                self.focused = False
                return True
        if event.type == pygame.KEYDOWN and self.focused and event.key == pygame.K_RETURN:
            self.focused = False
            return True
        return super().handle(event)

    def draw(self, screen, fonts) -> None:
        inner = self.rect.inflate(-68, 0)
        pygame.draw.rect(screen, (16, 18, 24), self.rect, border_radius=4)
        pygame.draw.rect(screen, OKABE_ITO["sky"] if self.focused else MUTED, self.rect, 2, border_radius=4)
        for text, x in (("-", self.rect.x + 12), ("+", self.rect.right - 22)):
            arrow = fonts.text(text, "body", OKABE_ITO["sky"])
            screen.blit(arrow, (x, self.rect.centery - arrow.get_height() // 2))
        shown = fonts.text(self.value + ("|" if self.focused else ""))
        screen.blit(shown, (inner.x + 2, self.rect.centery - shown.get_height() // 2))


def _number_text(value: float, whole: bool) -> str:
    return str(int(round(value))) if whole else f"{value:g}"


def _quoted(value: str) -> str:
    if _PLAIN.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class OrdersPanel:
    """The pickers, the check line, the Add button and the queued orders with Cancel."""

    def __init__(self, scene):
        self.scene, self.control = scene, scene.control
        self.action = None
        self.widgets: list = []
        self.last_text, self.check = None, None
        self.cancel_buttons: list[Button] = []

    # -- choices ---------------------------------------------------------------------------
    def allowed_actions(self) -> list[str]:
        game, seat = self.control.game, self.scene.seat
        kind = game.model.seat_kind(seat)
        return [a for a, spec in game.scenario.actions.items()
                if spec.enabled and kind in spec.who and a in ORDER_TYPES]

    def choices_for(self, field_name: str, action: str) -> list[str] | None:
        sc, seat, model = self.control.game.scenario, self.scene.seat, self.control.game.model
        countries = [c for c in sc.countries if c != seat]
        table = {
            "good": list(sc.goods), "country": countries, "origin": countries, "via": countries,
            "target": countries + (["ALL"] if action in ("export_control", "tariff") else []),
            "firm": list(sc.firms), "buyer": list(sc.countries) + list(sc.firms),
            "to": countries + [f for f in sc.firms if f != seat],
            "mode": list(EXPORT_MODES), "area": list(TECH_AREAS), "sector": list(sc.sectors),
            "type": list(sc.facility_types),
        }
        if field_name == "facility":
            ids = list(model.fac.ids)
            mine = [f for f in ids if model.fac.owner_name(model.fac.row[f], model.firms, model.countries) == seat]
            return mine + [f for f in ids if f not in mine]
        return table.get(field_name)

    # -- layout ----------------------------------------------------------------------------
    def layout(self, x: int, y: int, width: int) -> None:
        self.x, self.y, self.width = x, y, width
        self.row = self.control.fonts.fonts["body"].get_height() + 14      # rows grow with the font
        actions = self.allowed_actions()
        self.action_picker = Picker("action", (x + 130, y, width - 130, self.row - 4), actions,
                                    self.action if self.action in actions else "export_control")
        self.build_fields()

    def build_fields(self) -> None:
        self.action = self.action_picker.value
        self.widgets = []
        self.help_lines = wrap(self.control.fonts, HELP.get(self.action, ""), self.width, "small")[:2]
        y = self.y + self.row + 4 + (self.control.fonts.fonts["small"].get_height() + 4) * len(self.help_lines)
        for f in fields(ORDER_TYPES[self.action]):
            rect = (self.x + 130, y, self.width - 130, self.row - 4)
            type_name = getattr(f.type, "__name__", str(f.type))
            default = None if f.default is MISSING else f.default
            choices = self.choices_for(f.name, self.action)
            if type_name in ("float", "int"):
                self.widgets.append(NumberBox(f.name, rect, default or 0, type_name == "int"))
            elif type_name == "bool":
                self.widgets.append(Picker(f.name, rect, ["true", "false"], "true" if default else "false"))
            elif choices:
                if default == "" and f.name in ("facility", "firm"):
                    choices = [""] + choices          # nationalize: a facility OR a firm
                self.widgets.append(Picker(f.name, rect, choices, default))
            else:
                box = TextBox(rect, lambda _t: None, "type the value")
                box.name, box.value = f.name, default or ""
                self.widgets.append(box)
            self.widgets[-1].default = "" if default is None else str(self.widgets[-1].value)
            self.widgets[-1].shown = default is None or f.metadata.get("shown", False)
            y += self.row
        self.check_y = y + 4
        self.add_button = Button("Add to this turn (Enter)", (self.x, y + 60, 300, 44), self.add,
                                 colour=OKABE_ITO["green"])
        self.last_text = None

    def order_text(self) -> str:
        parts = [self.action]
        for w in self.widgets:
            if w.value != "" and (w.shown or str(w.value) != w.default):
                parts.append(f"{w.name}={_quoted(str(w.value))}")
        return " ".join(parts)

    # -- input -----------------------------------------------------------------------------
    def handle(self, event) -> bool:
        before = self.action_picker.value
        if self.action_picker.handle(event):
            if self.action_picker.value != before:
                self.build_fields()
            return True
        for w in self.widgets:
            if w.handle(event):
                return True
        if event.type == pygame.KEYDOWN and event.key == pygame.K_RETURN and not self.typing():
            self.add()
            return True
        for b in [self.add_button] + self.cancel_buttons:
            if b.handle(event):
                return True
        return False

    def typing(self) -> bool:
        return self.action_picker.focused or any(w.focused for w in self.widgets)

    def add(self) -> None:
        if self.check is None or self.check.reason is not None:
            why = self.check.reason if self.check else "not checked yet"
            self.scene.say(f"Not added: {why}", OKABE_ITO["vermillion"])
            return
        self.scene.submit_text(self.last_text)

    def cancel(self, index: int) -> None:
        if self.scene.resolver:
            self.scene.say("The turn is resolving: nothing can be taken back now.", OKABE_ITO["vermillion"])
            return
        text = self.control.game.withdraw(self.scene.seat, index)
        self.scene.say(f"Taken back: {text}", OKABE_ITO["orange"])

    # -- state -----------------------------------------------------------------------------
    def update(self) -> None:
        """Re-check the composed order when it changed; rebuild the Cancel buttons."""
        text = self.order_text()
        if text != self.last_text and not self.scene.resolver:
            self.last_text = text
            self.check = self.control.game.check_order(self.scene.seat, text)
            self.add_button.enabled = self.check.reason is None
        pending = self.control.game.pending(self.scene.seat)
        if len(self.cancel_buttons) != len(pending):
            y0 = self.check_y + 130
            self.cancel_buttons = [Button("Cancel", (self.x + self.width - 100, y0 + i * 30, 100, 26),
                                          lambda i=i: self.cancel(i), colour=OKABE_ITO["vermillion"])
                                   for i in range(len(pending))]

    # -- drawing ---------------------------------------------------------------------------
    def draw(self, screen) -> None:
        f = self.control.fonts
        name = f.text("action")
        screen.blit(name, (self.x, self.action_picker.rect.centery - name.get_height() // 2))
        self.action_picker.draw(screen, f)
        draw_lines(screen, f, self.help_lines, self.x, self.y + self.row + 4, self.width, "small", MUTED)
        for w in self.widgets:
            name = f.text(w.name)
            screen.blit(name, (self.x, w.rect.centery - name.get_height() // 2))
            w.draw(screen, f)
        self.draw_check(screen, f)
        self.add_button.draw(screen, f)
        self.draw_pending(screen, f)

    def draw_check(self, screen, f) -> None:
        c = self.check
        if c is None:
            return
        if c.reason is None:
            when = "next turn" if c.delay == 0 else f"{c.delay} turn(s) after next"
            line, colour = f"Valid now: costs {c.cost:,.0f} M$ at once; takes effect {when}", OKABE_ITO["green"]
        else:
            line, colour = f"Would be refused: {c.reason}", OKABE_ITO["vermillion"]
        draw_lines(screen, f, [line], self.x, self.check_y, self.width, "small", colour)
        draw_lines(screen, f, [self.last_text or ""], self.x, self.check_y + 26, self.width, "small", MUTED)

    def draw_pending(self, screen, f) -> None:
        pending = self.control.game.pending(self.scene.seat)
        y = self.check_y + 100
        screen.blit(f.text(f"Queued for this turn ({len(pending)}):" if pending else
                           "Queued for this turn: nothing yet", "body", TEXT), (self.x, y))
        for b, text in zip(self.cancel_buttons, pending):
            draw_lines(screen, f, [text], self.x, b.rect.y + 4, self.width - 110, "small")
            b.draw(screen, f)

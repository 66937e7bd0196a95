"""The orders tab: compose an order with pickers, see the engine's verdict, send or cancel.

Choose an action (only those the seat's kind may use in this ruleset), then set each of its
fields: a good, a country or a firm with < > pickers, an amount with - and + buttons. Each
change asks `Game.check_order`, which runs the engine's own checks on a copy of the world,
and the tab shows whether the order would be carried out and what it costs now.
"""

from __future__ import annotations

from dataclasses import MISSING, fields

import pygame

from game.orders import EXPORT_MODES, ORDER_TYPES, TECH_AREAS
from game.ui.widgets import MUTED, OKABE_ITO, TEXT, Button, TextBox, draw_lines

NUMERIC = ("float", "int")
# where a picker starts for an amount without a default: small, valid values to nudge from
STARTING_AMOUNTS = {"rate": 0.1, "share": 0.1, "cut": 0.1, "level": 0.5, "amount": 100, "volume": 1,
                    "capacity": 10, "price": 1, "turns": 4, "compensation": 0.5}


# fields that only mean something for some values of another: (action, field) -> test of the values
ONLY_WHEN = {
    ("export_control", "approval"): lambda v: v.get("mode") == "licence",
    ("export_control", "delay"): lambda v: v.get("mode") == "licence",
    ("export_control", "quota"): lambda v: v.get("mode") == "quota",
    ("nationalize", "facility"): lambda v: v.get("take over") == "facility",
    ("nationalize", "firm"): lambda v: v.get("take over") == "firm",
}

# pickers that are not fields of the order but choose which of its fields apply: action -> (name, choices, tip)
CHOOSERS = {"nationalize": ("take over", ["facility", "firm"])}


# what each field of an order means, in plain words: the tooltip of its row. Quantities are
# in the good's own units (Help lists them), per year where they flow; money is in M$.
FIELD_TIPS = {
    "good": "The good the order is about (Help lists every good and its unit).",
    "target": "The country the measure is aimed at; ALL aims it at every country.",
    "mode": "ban: no exports to the target; licence: a share of requests approved after a delay; "
            "quota: at most a set volume a year.",
    "approval": "Licences: the share of export requests approved, 0 (none) to 1 (all).",
    "delay": "Licences: turns (half-years) a request waits before it is decided.",
    "quota": "Quotas: the most the target may receive, in the good's units a year.",
    "content": "Also catch goods made abroad that hold at least this share of our content "
               "(0: only what we export ourselves).",
    "effective": "Turns from now before the control starts (0: this coming turn).",
    "turns": "How many turns (half-years) it lasts.",
    "rate": "A share of the price: 0.1 is 10%.",
    "level": "How hard customs chase evasion, 0 to 1; harder costs more.",
    "area": "The technology: processing (refining), magnet or battery making.",
    "firm": "The firm the order is about (the Country tab lists a country's firms).",
    "amount": "Money, in M$.",
    "share": "The share of the firm, 0 to 1.",
    "price": "A price in M$ per unit of the good.",
    "volume": "A quantity, in the good's units a year.",
    "facility": "The mine or plant (the Country tab lists a country's facilities).",
    "country": "The country: where to build, or who receives it.",
    "capacity": "Capacity, in the good's units a year.",
    "max_price": "The most paid per unit, in M$ (0: up to twice the reference price).",
    "compensation": "The share of its value paid to the owner (below 1, investors remember).",
    "sector": "The using sector (EVs, wind, defence, ...) whose need for the good the research cuts.",
    "to": "The seat the deal is offered to.",
    "give": "The orders you would give, '; '-separated (type them in the box below).",
    "ask": "The orders you want in return, '; '-separated (type them in the box below).",
    "deal": "The deal's id, from the News tab.",
    "offer": "The offer's id, from the News tab.",
    "origin": "The country the good comes from.",
    "via": "The third country the good passes through.",
    "buyer": "Who is offered the stake.",
    "type": "What to build: mine, refinery or plant.",
    "cut": "The share of home production to cut, 0 to 1.",
    "take over": "Nationalize one facility, or a whole firm with all it owns.",
}
FIELD_TIPS_BY_ACTION = {
    ("stockpile", "amount"): "The quantity to buy into the stockpile, in the good's units a year.",
    ("release_stockpile", "amount"): "The quantity to sell out of the stockpile, in the good's units a year.",
    ("sell_stake", "price"): "The price asked for the whole stake, in M$.",
    ("dev_loan", "turns"): "Turns (half-years) over which the loan is repaid.",
    ("state_lending", "turns"): "Turns (half-years) over which the loan is repaid.",
}


def field_tip(action: str, name: str) -> str:
    """What field `name` of `action` means (empty if nobody wrote it down)."""
    return FIELD_TIPS_BY_ACTION.get((action, name)) or FIELD_TIPS.get(name, "")


class Chooser:
    """A picker row of the composer that is not a field of the order (it has only a name)."""

    def __init__(self, name: str):
        self.name = name


def field_kind(f) -> str:
    return getattr(f.type, "__name__", str(f.type))


class Composer:
    """State and widgets of the order composer; the main scene owns one per seat view."""

    def __init__(self, scene):
        self.scene, self.control = scene, scene.control
        self.action = ""
        self.values: dict[str, object] = {}
        self.verdict = None                 # OrderCheck of the current composition
        self.buttons: list[Button] = []
        self.field_rows: list[tuple[str, pygame.Rect]] = []
        self.field_tips: list[tuple[pygame.Rect, str]] = []
        self.action_page = 0

    # -- what may be chosen --------------------------------------------------------------
    def actions(self) -> list[str]:
        game, seat = self.control.game, self.scene.seat
        kind = game.model.seat_kind(seat)
        specs = game.scenario.actions
        return [a for a in ORDER_TYPES if a in specs and specs[a].enabled and kind in specs[a].who]

    def choices(self, name: str) -> list[str] | None:
        """The values a text field may take, or None where it is free text."""
        game, pub = self.control.game, self.scene.public
        countries = list(pub["countries"])
        firms = list(game.scenario.firms)
        facilities = [str(i) for i in self.scene.private["facilities"]["id"]] or list(game.model.fac.ids)
        return {
            "good": list(pub["goods"]),
            "target": ["ALL"] + [c for c in countries if c != self.scene.seat] if self.action == "export_control"
            else [c for c in countries if c != self.scene.seat],
            "country": countries, "origin": countries, "via": countries, "to": countries, "buyer": countries + firms,
            "firm": firms, "facility": facilities, "mode": list(EXPORT_MODES), "area": list(TECH_AREAS),
            "sector": list(pub["sectors"]), "type": sorted(set(pub["build"]["type"])),
            "deal": [d.get("id", "") for d in self.scene.private.get("deals_offered", [])] or None,
            "offer": [d.get("id", "") for d in self.scene.private.get("stake_offers", [])] or None,
            **({CHOOSERS[self.action][0]: CHOOSERS[self.action][1]} if self.action in CHOOSERS else {}),
        }.get(name)

    # -- composing -----------------------------------------------------------------------
    def choose(self, action: str) -> None:
        self.action = action
        self.values = {}
        for f in fields(ORDER_TYPES[action]):
            options = self.choices(f.name)
            if f.default is not MISSING:
                self.values[f.name] = f.default
            elif f.name == "good" and self.scene.board.good in (options or []):
                self.values[f.name] = self.scene.board.good       # the good the map shows
            elif field_kind(f) in NUMERIC:
                start = STARTING_AMOUNTS.get(f.name, 1.0)
                self.values[f.name] = int(start) if field_kind(f) == "int" else float(start)
            elif f.name in ("target", "to") and self.rival() in (options or []):
                self.values[f.name] = self.rival()
            else:
                self.values[f.name] = options[0] if options else ""
        if action in CHOOSERS:
            name, options = CHOOSERS[action]
            self.values[name] = options[0]
        self.reset_hidden()
        self.layout()
        self.recheck()

    def shown_fields(self) -> list:
        """The action's fields that apply to what is chosen so far; the others keep their defaults."""
        if not self.action:
            return []
        chooser = [Chooser(CHOOSERS[self.action][0])] if self.action in CHOOSERS else []
        return chooser + [f for f in fields(ORDER_TYPES[self.action])
                          if ONLY_WHEN.get((self.action, f.name), lambda v: True)(self.values)]

    def reset_hidden(self) -> None:
        """Fields that no longer apply go back to their defaults; one that has just come to
        apply and is still empty starts at its first choice."""
        shown = {f.name for f in self.shown_fields()}
        for f in fields(ORDER_TYPES[self.action]):
            if f.name not in shown and f.default is not MISSING:
                self.values[f.name] = f.default
            elif (self.action, f.name) in ONLY_WHEN and self.values.get(f.name) == "":
                options = self.choices(f.name)
                if options:
                    self.values[f.name] = options[0]

    def rival(self) -> str:
        """The first great power that is not the seat: the likeliest target of a measure."""
        countries = self.control.game.scenario.countries
        return next((c for c, v in countries.items() if v.kind == "great_power" and c != self.scene.seat), "")

    def text(self) -> str:
        if not self.action:
            return ""
        parts = [self.action]
        for f in fields(ORDER_TYPES[self.action]):
            value = self.values.get(f.name)
            if f.default is not MISSING and value == f.default:
                continue
            if isinstance(value, float):
                value = f"{value:g}"
            if isinstance(value, str) and (" " in value or value == ""):
                value = f'"{value}"'
            parts.append(f"{f.name}={value}")
        return " ".join(parts)

    def step(self, name: str, direction: int) -> None:
        """Move a picker one choice, or an amount one step, in `direction` (+1 or -1)."""
        before = [f.name for f in self.shown_fields()]
        value = self.values[name]
        options = self.choices(name)
        if options:
            i = options.index(value) if value in options else -1
            self.values[name] = options[(i + direction) % len(options)]
        elif isinstance(value, bool):
            self.values[name] = not value
        elif isinstance(value, int):
            self.values[name] = max(0, value + direction)
        elif isinstance(value, float):
            self.values[name] = _nudge(value, direction)
        self.reset_hidden()
        if [f.name for f in self.shown_fields()] != before:
            self.layout()                       # another field now applies, or no longer does
        self.recheck()

    def recheck(self) -> None:
        self.verdict = self.control.game.check_order(self.scene.seat, self.text()) if self.action else None

    def send(self) -> None:
        if not self.action:
            return
        self.scene.submit_text(self.text())

    def cancel(self, index: int) -> None:
        if self.scene.resolver:             # the worker thread is reading the queue
            self.scene.messages = [("The turn is resolving: nothing can be withdrawn now.", OKABE_ITO["vermillion"])]
            return
        text = self.control.game.withdraw(self.scene.seat, index)
        self.scene.messages = [(f"Withdrawn: {text}", MUTED)]
        self.layout()

    # -- widgets -------------------------------------------------------------------------
    def layout(self) -> None:
        panel = self.scene.panel
        x, w = panel.x + 12, panel.w - 24
        y = panel.y + 60
        self.buttons = []
        names = self.actions()
        cols, bw, bh = 3, (w - 12) // 3, 30
        per_page = cols * 4
        pages = max(1, -(-len(names) // per_page))
        self.action_page %= pages
        shown = names[self.action_page * per_page:(self.action_page + 1) * per_page]
        for i, a in enumerate(shown):
            colour = OKABE_ITO["sky"] if a == self.action else (60, 70, 90)
            self.buttons.append(Button(a, (x + (i % cols) * (bw + 6), y + (i // cols) * (bh + 4), bw, bh),
                                       lambda a=a: self.choose(a), colour=colour, size="small",
                                       tip=_doc(a)))
        y += 4 * (bh + 4)
        if pages > 1:
            self.buttons.append(Button(f"more actions ({self.action_page + 1}/{pages})", (x, y, w, 26),
                                       self.next_page, colour=(60, 70, 90), size="small"))
        self.fields_y = y + 32
        y = self.fields_y
        self.field_rows = []
        self.field_tips = []            # (the name part of a row, what the field means)
        if self.action:
            for f in self.shown_fields():
                row = pygame.Rect(x, y, w, 28)
                self.field_rows.append((f.name, row))
                self.field_tips.append((pygame.Rect(x, y, w - 254, 28), field_tip(self.action, f.name)))
                self.buttons.append(Button("<" if self.choices(f.name) else "-", (x + w - 250, y, 40, 26),
                                           lambda n=f.name: self.step(n, -1), colour=(70, 80, 100), size="small"))
                self.buttons.append(Button(">" if self.choices(f.name) else "+", (x + w - 44, y, 40, 26),
                                           lambda n=f.name: self.step(n, +1), colour=(70, 80, 100), size="small"))
                y += 30
            self.send_button = Button("Send order  (Enter)", (x, y + 56, 220, 34), self.send,
                                      colour=OKABE_ITO["green"], size="small")
            self.buttons.append(self.send_button)
        self.pending_y = y + 100
        pending = self.control.game.pending(self.scene.seat)
        for i, text in enumerate(pending[:6]):
            self.buttons.append(Button("cancel", (x + w - 80, self.pending_y + 24 + i * 26, 76, 24),
                                       lambda i=i: self.cancel(i), colour=OKABE_ITO["vermillion"], size="small",
                                       tip=f"Withdraw this order before the turn resolves: {text}"))

    def next_page(self) -> None:
        self.action_page += 1
        self.layout()

    def handle_event(self, event) -> bool:
        if event.type == pygame.KEYDOWN and event.key == pygame.K_RETURN and self.action:
            self.send()
            return True
        for b in self.buttons:
            if b.handle(event):
                return True
        return False

    def draw(self, screen) -> None:
        f = self.control.fonts
        panel = self.scene.panel
        x, w = panel.x + 12, panel.w - 24
        for b in self.buttons:
            b.draw(screen, f)
        if not self.action:
            draw_lines(screen, f, ["Pick an action above: its fields appear here with pickers.",
                                   "Hover an action to read what it does."], x, self.fields_y, w, "small", MUTED)
        for name, row in self.field_rows:
            value = self.values.get(name)
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            screen.blit(f.text(name, "small", MUTED), (row.x, row.y + 4))
            label = f.text(shown or "(type below)", "small", TEXT)
            screen.blit(label, label.get_rect(center=(row.right - 147, row.centery)))
        if self.action:
            y = self.field_rows[-1][1].bottom + 6 if self.field_rows else self.fields_y
            draw_lines(screen, f, [self.text()], x, y, w, "small", OKABE_ITO["yellow"])
            v = self.verdict
            if v is not None:
                if v.ok:
                    when = f"takes effect {v.delay} turn(s) after it is carried out" if v.delay else "takes effect this coming turn"
                    msg, colour = f"Valid. Costs now {v.cost:,.0f} M$; {when}.", OKABE_ITO["green"]
                else:
                    msg, colour = f"Would be refused: {v.reason}", OKABE_ITO["vermillion"]
                draw_lines(screen, f, [msg], x, y + 24, w, "small", colour)
            self.send_button.enabled = bool(v and v.ok) and not self.scene.resolver
        pending = self.control.game.pending(self.scene.seat)
        y = draw_lines(screen, f, [f"Pending for next turn ({len(pending)}):" if pending
                                   else "Pending for next turn: none"], x, self.pending_y, w, "small", TEXT)
        for text in pending[:6]:
            y = draw_lines(screen, f, ["  " + text], x, y + 2, w - 90, "small", MUTED)


def _nudge(value: float, direction: int) -> float:
    """One step of an amount: 1-2-5 steps, so any order of magnitude is a few clicks away."""
    ladder = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]
    if direction > 0:
        return next((v for v in ladder if v > value + 1e-12), value * 2)
    return next((v for v in reversed(ladder) if v < value - 1e-12), 0.0)


def _doc(action: str) -> str:
    doc = (ORDER_TYPES[action].__doc__ or "").strip().splitlines()
    return doc[0] if doc else action


__all__ = ["Composer", "TextBox"]

"""The new-game scene: the scenario and its briefing, who plays every seat, and the seed.

Every seat is a row: a person, or an AI personality (those whose traits let it play the
seat's kind) at a difficulty level. Rows for a whole kind ("every firm") come first and are
overridden by a seat's own row. The rows become `SEAT=POLICY` specs read by the same parser
as `chokepoint run --seat` (`game.seat_specs.seat_policies`), so the window and the command line
accept the same things. Clicking a row's name shows its briefing: a person's role, with
goals, what to watch and first moves; an AI's personality.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from game.ui.briefings import briefing
from game.ui.scenes import Scene
from game.ui.widgets import MUTED, OKABE_ITO, PANEL, TEXT, Button, TextBox, draw_lines, wrap_pixels

PERSON = "person"
DEFAULT = "default"
LEVELS = ("normal", "easy", "hard")
LEVEL_WORDS = {"normal": "plays as written", "easy": "sees last turn's market, blurred, and slips now and then",
               "hard": "foresight: acts on where prices are heading a turn early"}
KIND_ROWS = {"middle": "every middle power", "resource": "every resource state", "firm": "every firm"}
GREY = (60, 70, 90)


@dataclass
class SeatRow:
    seat: str            # a seat id, or a kind for a row that sets every seat of that kind
    kind: str
    label: str
    who: str = DEFAULT   # PERSON, DEFAULT or a policy name
    level: str = "normal"

    @property
    def for_kind(self) -> bool:
        return self.seat in KIND_ROWS

    def spec(self) -> str | None:
        """The `SEAT=POLICY` text of the row, or None where it leaves the scenario's default."""
        if self.who == PERSON:
            return f"{self.seat}=human"
        if self.who == DEFAULT and self.level == "normal":
            return None
        from agents.policies import DEFAULTS
        name = DEFAULTS[self.kind] if self.who == DEFAULT else self.who
        return f"{self.seat}={name}" + ("" if self.level == "normal" else f":{self.level}")


def policies_for(kind: str) -> list[str]:
    """The registered personalities that may play a seat of `kind` (not the defaults)."""
    from agents.policies import DEFAULTS, REGISTRY
    out = []
    for name, cls in REGISTRY.items():
        roles = getattr(cls, "traits", None)
        if ":" in name or name in DEFAULTS.values() or name == "passive" or roles is None:
            continue
        if kind in roles.roles:
            out.append(name)
    return out


def describe_policy(name: str, kind: str, scenario_choice: str | None = None) -> str:
    """What the AI playing a seat does: its policy's name and description. `default` is the
    scenario's choice for the seat (`scenario_choice`), else its kind's default policy."""
    from agents.policies import DEFAULTS, REGISTRY
    policy = (scenario_choice or DEFAULTS[kind]) if name == DEFAULT else name
    policy = policy.split(":")[0]
    cls = REGISTRY.get(policy)
    said = (" ".join((cls.__doc__ or "").split()) or getattr(cls, "description", "")) if cls else ""
    return f"{policy}: {said}" if said else policy


class NewGameScene(Scene):
    name = "new_game"

    def startup(self, **kwargs):
        from game.rules import available_scenarios
        self.scenarios = available_scenarios()
        if self.control.scenario_name not in self.scenarios:
            self.scenarios.insert(0, self.control.scenario_name)
        self.message = ""
        self.show = "scenario"                # or "seat": what the right-hand box holds
        self.focus = None
        self.scroll = 0
        self.seed_box = TextBox((0, 0, 10, 10), lambda text: self.set_seed(text))
        self.seed_box.value = str(self.control.seed)
        self.build_rows(self.control.options.get("seats", {}))
        super().startup()

    # -- state ---------------------------------------------------------------------------
    def build_rows(self, chosen: dict[str, str]) -> None:
        """One row per kind and per seat; `chosen` ({seat: policy}) presets them."""
        sc = self.control.scenario
        self.rows = [SeatRow(k, k, label) for k, label in KIND_ROWS.items()]
        powers = [c for c, v in sc.countries.items() if v.kind == "great_power"]
        others = [c for c in sc.countries if c not in powers]
        for c in powers + others:
            v = sc.countries[c]
            self.rows.append(SeatRow(c, v.kind, f"{c}: {v.name} ({v.kind.replace('_', ' ')})"))
        for fid, firm in sc.firms.items():
            self.rows.append(SeatRow(fid, "firm", f"{fid}: {firm.name} (firm, {firm.home})"))
        by_seat = {r.seat: r for r in self.rows}
        for seat, policy in chosen.items():
            row = by_seat.get(seat)
            if row is None:
                continue
            if policy == "human":
                row.who = PERSON
            else:
                base, _, level = policy.rpartition(":")
                name, row.level = (base, level) if level in LEVELS else (policy, "normal")
                row.who = name if name in policies_for(row.kind) else DEFAULT
        # the rows of the great powers and of the people first; the list starts at the top
        self.rows.sort(key=lambda r: (not r.for_kind, r.kind != "great_power" and r.who != PERSON))

    def humans(self) -> list[str]:
        return [r.seat for r in self.rows if r.who == PERSON]

    def specs(self) -> list[str]:
        kind_rows = [r.spec() for r in self.rows if r.for_kind]
        seat_rows = [r.spec() for r in self.rows if not r.for_kind]
        return [s for s in kind_rows + seat_rows if s]

    def choices(self, row: SeatRow) -> list[str]:
        return [DEFAULT] + ([] if row.for_kind else [PERSON]) + policies_for(row.kind)

    def cycle_who(self, row: SeatRow) -> None:
        options = self.choices(row)
        row.who = options[(options.index(row.who) + 1) % len(options)] if row.who in options else DEFAULT
        self.focus_row(row)

    def cycle_level(self, row: SeatRow) -> None:
        row.level = LEVELS[(LEVELS.index(row.level) + 1) % len(LEVELS)]
        self.focus_row(row)

    def focus_row(self, row: SeatRow) -> None:
        self.focus, self.show = row, "seat"
        self.layout()

    def cycle_scenario(self, by: int) -> None:
        from game.rules import RulesError, load_scenario
        i = self.scenarios.index(self.control.scenario_name) if self.control.scenario_name in self.scenarios else 0
        name = self.scenarios[(i + by) % len(self.scenarios)]
        try:
            scenario = load_scenario(name)
        except RulesError as exc:
            self.message = f"Scenario {name} could not be loaded: {exc}"
            return
        self.control.scenario_name, self.control.scenario = name, scenario
        self.build_rows({})
        self.show, self.focus, self.scroll = "scenario", None, 0
        self.layout()

    def set_seed(self, text: str) -> bool:
        text = text.strip()
        if not text.isdigit():
            self.message = f"The seed must be a whole number from 0 up, not {text!r}."
            return False
        self.control.seed = int(text)
        self.seed_box.value, self.message = text, ""
        return True

    def step_seed(self, by: int) -> None:
        seed = max(0, (int(self.seed_box.value) if self.seed_box.value.strip().isdigit() else self.control.seed) + by)
        self.set_seed(str(seed))

    def scroll_by(self, rows: int) -> None:
        self.scroll = max(0, min(len(self.rows) - self.visible_rows, self.scroll + rows))
        self.layout()

    def start(self) -> None:
        from agents.policies import PolicyError
        from game.seat_specs import seat_policies
        if not self.set_seed(self.seed_box.value):
            return
        if not self.humans():
            self.message = "Choose at least one seat for a person: click a seat's 'AI' button until it says person."
            return
        try:
            seats = seat_policies(self.control.scenario, self.specs())
            self.control.start_game(seats=seats)
        except (ValueError, PolicyError) as exc:
            self.message = f"Cannot start: {exc}"

    # -- widgets -------------------------------------------------------------------------
    def layout(self):
        w, h = self.control.size
        self.left = pygame.Rect(40, 100, min(w // 2 - 40, max(640, int(w * 0.42))), h - 190)
        self.row_h = self.control.fonts.fonts["small"].get_height() + 14
        self.right = pygame.Rect(self.left.right + 30, 100, w - self.left.right - 70, h - 190)
        x, y = self.left.x, self.left.y
        self.seed_box.rect = pygame.Rect(x + 250, y + 46, 140, 36)
        self.buttons = [
            Button("<", (x, y, 40, 36), lambda: self.cycle_scenario(-1), colour=GREY, size="small",
                   tip="The previous scenario"),
            Button(">", (self.left.right - 40, y, 40, 36), lambda: self.cycle_scenario(1), colour=GREY, size="small",
                   tip="The next scenario"),
            Button("-", (x + 200, y + 46, 40, 36), lambda: self.step_seed(-1), colour=GREY, size="small",
                   tip="The seed fixes every random draw: the same seed and orders give the same game"),
            Button("+", (x + 400, y + 46, 40, 36), lambda: self.step_seed(1), colour=GREY, size="small",
                   tip="The seed fixes every random draw: the same seed and orders give the same game"),
            Button("Scenario briefing", (self.right.x, self.right.y, 220, 36), self.show_scenario, colour=GREY,
                   size="small", tip="The situation at the start of the scenario"),
            Button("Start  (Enter)", (x, h - 76, 260, 50), self.start, colour=OKABE_ITO["green"]),
            Button("Back  (Esc)", (x + 280, h - 76, 180, 50), lambda: self.control.switch("title"), colour=GREY),
        ]
        top = y + 130
        self.list_rect = pygame.Rect(x, top, self.left.w, self.left.bottom - top)
        self.visible_rows = max(1, self.list_rect.h // self.row_h)
        self.scroll = max(0, min(self.scroll, len(self.rows) - self.visible_rows))
        self.row_buttons = []
        for i, row in enumerate(self.rows[self.scroll:self.scroll + self.visible_rows]):
            ry = top + i * self.row_h
            ai = row.who != PERSON
            name = Button(row.label, (x, ry, self.left.w - 330, self.row_h - 4), lambda r=row: self.focus_row(r),
                          colour=OKABE_ITO["sky"] if row is self.focus else GREY, size="small",
                          tip="Show the briefing of this seat")
            who = Button(self.who_label(row), (self.left.right - 322, ry, 200, self.row_h - 4),
                         lambda r=row: self.cycle_who(r), size="small",
                         colour=OKABE_ITO["orange"] if not ai else OKABE_ITO["blue"],
                         tip="Click to change who plays: the default AI, a person, or an AI personality")
            level = Button(row.level if ai else "-", (self.left.right - 114, ry, 114, self.row_h - 4),
                           lambda r=row: self.cycle_level(r), colour=GREY, size="small",
                           tip="AI difficulty: easy, normal or hard")
            level.enabled = ai
            who.row = level.row = name.row = row
            self.row_buttons += [name, who, level]

    def who_label(self, row: SeatRow) -> str:
        return PERSON if row.who == PERSON else f"AI: {row.who}"

    def show_scenario(self) -> None:
        self.show, self.focus = "scenario", None
        self.layout()

    def handle_event(self, event):
        if self.seed_box.handle(event):
            return
        if event.type == pygame.KEYDOWN:
            if event.key == pygame.K_RETURN:
                self.start()
                return
            if event.key == pygame.K_ESCAPE:
                self.control.switch("title")
                return
            if event.key in (pygame.K_DOWN, pygame.K_PAGEDOWN, pygame.K_UP, pygame.K_PAGEUP):
                step = self.visible_rows if event.key in (pygame.K_PAGEDOWN, pygame.K_PAGEUP) else 1
                self.scroll_by(step if event.key in (pygame.K_DOWN, pygame.K_PAGEDOWN) else -step)
                return
        if event.type == pygame.MOUSEWHEEL and self.list_rect.collidepoint(pygame.mouse.get_pos()):
            self.scroll_by(-3 * event.y)
            return
        for b in self.row_buttons:
            if b.handle(event):
                return
        super().handle_event(event)

    # -- drawing -------------------------------------------------------------------------
    def draw(self, screen):
        super().draw(screen)
        f = self.control.fonts
        w, h = self.control.size
        screen.blit(f.text("New game", "title"), (40, 24))
        sc = self.control.scenario
        x, y = self.left.x, self.left.y
        label = f.text(f"{self.control.scenario_name}: {sc.title}", "small")
        screen.blit(label, label.get_rect(center=((self.left.x + self.left.right) // 2, y + 18)))
        screen.blit(f.text("Seed", "small", MUTED), (x, y + 54))
        self.seed_box.draw(screen, f)
        people = ", ".join(self.humans()) or "nobody yet"
        draw_lines(screen, f, [f"Who plays each seat (people: {people}); wheel scrolls, "
                               f"{self.scroll + 1}-{min(len(self.rows), self.scroll + self.visible_rows)} of "
                               f"{len(self.rows)}"], x, y + 96, self.left.w, "small", MUTED)
        for b in self.buttons + self.row_buttons:
            b.draw(screen, f)
        if self.message:
            draw_lines(screen, f, wrap_pixels(f, self.message, w - 560), 500, h - 66, w - 540, "small",
                       OKABE_ITO["vermillion"])
        self.draw_briefing(screen, f)

    def briefing_lines(self) -> tuple[str, list[str]]:
        sc = self.control.scenario
        if self.show == "scenario" or self.focus is None:
            paragraphs = [p for p in (sc.briefing or sc.map_description or "").split("\n\n") if p.strip()]
            return f"{sc.title or self.control.scenario_name}", [" ".join(p.split()) for p in paragraphs] + \
                ["Click a seat's name for its briefing; set the seats people play to 'person'."]
        row = self.focus
        if row.who == PERSON:
            return "Briefing", briefing(sc, row.seat).lines()
        who = f"{row.label} is played by the AI: {row.who} at {row.level} ({LEVEL_WORDS[row.level]})."
        return "Briefing", [who, describe_policy(row.who, row.kind, sc.seats.get(row.seat))] + \
            ([] if row.for_kind else ["Set it to 'person' to play it yourself and read its goals and first moves."])

    def draw_briefing(self, screen, f):
        box = pygame.Rect(self.right.x, self.right.y + 44, self.right.w, self.right.h - 44)
        pygame.draw.rect(screen, PANEL, box, border_radius=8)
        title, paragraphs = self.briefing_lines()
        y = box.y + 10
        screen.blit(f.text(title, "body", OKABE_ITO["orange"]), (box.x + 14, y))
        y += f.sizes["body"] + 12
        for para in paragraphs:
            if not para:
                y += 6
                continue
            indent = len(para) - len(para.lstrip())
            lines = wrap_pixels(f, para, box.w - 28 - indent * 6) or [""]
            for line in lines:
                if y > box.bottom - f.sizes["small"] - 8:
                    return
                colour = TEXT if not para.startswith("  ") else MUTED
                screen.blit(f.text(line, "small", colour), (box.x + 14 + indent * 6, y))
                y += f.sizes["small"] + 6
            if not indent:
                y += 4

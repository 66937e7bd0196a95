"""Help and glossary (key H from the game): the keys, then every good and every order of the
ruleset with its description, scrolled with the wheel or the arrow keys."""

from __future__ import annotations

import pygame

from game.orders import describe_actions
from game.ui.briefings import OBJECTIVES
from game.ui.scenes import Scene
from game.ui.widgets import MUTED, OKABE_ITO, TEXT, Button, wrap_pixels

KEYS = ["E  end your turn          1-6  side-panel tabs          Ctrl+S  save",
        "[ ]  change the good on the board     wheel  zoom     drag  pan     R  reset the board",
        "P  pause the game (facilitator)      G  first-turn guide on/off      H  this help      Esc  back / menu",
        "T  the guided tour of the screen, panel by panel (also the button below)"]

MEASURES = [("alignment", "from +1 (western bloc) to -1 (China's bloc); near 0 a country sides with neither"),
            ("stability", "0 collapse to 1 solid; shortages, debt and coercion wear it down"),
            ("score", "0 to 1 each turn: how well a side's goals (below) are met, weighted by its role; after the "
                      "game, compared with the status-quo game of the same seed"),
            ("treasury", "money a government (or a firm's cash) can spend now, in millions of US dollars (M$)"),
            ("spending room", "treasury plus what may still be borrowed: the most this turn's orders may cost"),
            ("GDP", "a country's economy in billions of US dollars a year ($bn)"),
            ("price / reference", "a good's price as a multiple of its 2025 reference; above 1.00x is dear"),
            ("split market", "when controls divide the world, a good has different prices on each side (low-high)"),
            ("shortage", "demand for a good that could not be met last turn, in the good's unit"),
            ("world share", "a country's share of the world's output of a good"),
            ("share of world imports", "a country's part of all the world's imports of a good"),
            ("stockpile", "a government's strategic reserve of a good, bought with 'stockpile', drawn down with "
                          "'release_stockpile'"),
            ("export control", "ban (nothing leaves), licence (a share of shipments approved after a delay) or "
                               "quota (at most an amount a year) on one good to one target or to ALL"),
            ("tariff", "a tax on imports of a good from one country, as a share of the price"),
            ("turn", "six months (H1 January-June, H2 July-December); orders take effect when the turn resolves"),
            ("hot seat", "several people at one screen; a handover screen hides the last player's view")]


def glossary(scenario) -> list[tuple[str, str, str]]:
    """(heading, term, explanation) rows: measures, goods, then orders."""
    rows = [("Measures", term, text) for term, text in MEASURES]
    roles = {}
    for role, weights in scenario.scoring.items():
        for objective in weights:
            roles.setdefault(objective, []).append(role.replace("_", " "))
    rows += [("Goals (what scores count)", objective.replace("_", " "),
              f"{OBJECTIVES.get(objective, objective)} (scored for: {', '.join(who)})")
             for objective, who in roles.items()]
    for gid, g in scenario.goods.items():
        rows.append(("Goods", f"{gid}: {g.name}", f"{g.stage}, counted in {g.unit}. {g.source}"))
    help_text = {a: doc for a, _, doc in describe_actions()}
    for aid, spec in scenario.actions.items():
        if spec.enabled:
            who = ", ".join(w.replace("_", " ") for w in spec.who)
            rows.append(("Orders", aid, f"{spec.description or help_text.get(aid, '')} (who: {who})"))
    return rows


class HelpScene(Scene):
    name = "help"

    def startup(self, seat: str = "", **kwargs):
        self.seat, self.scroll = seat, 0
        self.rows = glossary(self.control.game.scenario)
        super().startup()

    def layout(self):
        w, h = self.control.size
        self.buttons = [Button("Back to the game  (Esc)", (w - 340, h - 80, 300, 54), self.back,
                               colour=OKABE_ITO["green"]),
                        Button("Guided tour  (T)", (w - 620, h - 80, 260, 54), self.tour, colour=OKABE_ITO["blue"],
                               tip="Back to the game, with the tour of its panels")]

    def tour(self):
        self.control.tour_requested = True       # the main scene starts it on its next update
        self.back()

    def back(self):
        self.control.switch("main", seat=self.seat, keep=True)

    def handle_event(self, event):
        if event.type == pygame.KEYDOWN:
            if event.key in (pygame.K_ESCAPE, pygame.K_h):
                self.back()
                return
            if event.key == pygame.K_t:
                self.tour()
                return
            if event.key in (pygame.K_DOWN, pygame.K_PAGEDOWN):
                self.scroll = min(len(self.rows) - 1, self.scroll + (10 if event.key == pygame.K_PAGEDOWN else 1))
            elif event.key in (pygame.K_UP, pygame.K_PAGEUP):
                self.scroll = max(0, self.scroll - (10 if event.key == pygame.K_PAGEUP else 1))
        elif event.type == pygame.MOUSEWHEEL:
            self.scroll = max(0, min(len(self.rows) - 1, self.scroll - 3 * event.y))
        super().handle_event(event)

    def draw(self, screen):
        super().draw(screen)
        f = self.control.fonts
        w, h = self.control.size
        screen.blit(f.text("Help and glossary", "title"), (40, 20))
        y = 90
        for line in KEYS:
            screen.blit(f.text(line, "small", OKABE_ITO["sky"]), (40, y))
            y += f.sizes["small"] + 10
        y += 10
        heading = None
        clip = pygame.Rect(0, y, w, h - y - 100)
        for group, term, text in self.rows[self.scroll:]:
            if y > clip.bottom:
                break
            if group != heading:
                heading = group
                screen.blit(f.text(group, "body", OKABE_ITO["orange"]), (40, y))
                y += f.sizes["body"] + 12
            term_surf = f.text(term, "small", TEXT)
            screen.blit(term_surf, (60, y))
            tx = 60 + max(360, term_surf.get_width() + 20)
            for line in wrap_pixels(f, text, w - tx - 40)[:3]:       # an entry takes up to three lines
                screen.blit(f.text(line, "small", MUTED), (tx, y))
                y += f.sizes["small"] + 6
            y += 6
        screen.blit(f.text(f"row {self.scroll + 1} of {len(self.rows)}: wheel or arrows scroll", "small", MUTED),
                    (40, h - 70))
        for b in self.buttons:
            b.draw(screen, f)

"""Help and glossary (key H from the game): the keys, then every good and every order of the
ruleset with its description, scrolled with the wheel or the arrow keys."""

from __future__ import annotations

import pygame

from game.orders import describe_actions
from game.ui.scenes import Scene
from game.ui.widgets import MUTED, OKABE_ITO, TEXT, Button

KEYS = ["E  end your turn          1-6  side-panel tabs          Ctrl+S  save",
        "[ ]  change the good on the board     wheel  zoom     drag  pan     R  reset the board",
        "P  pause the facilitator's timer      H  this help      Esc  back"]

MEASURES = [("alignment", "from +1 (western bloc) to -1 (China's bloc); near 0 a country sides with neither"),
            ("stability", "0 collapse to 1 solid; shortages, debt and coercion wear it down"),
            ("score", "how well a side's goals are met; after the game, compared with the status-quo game"),
            ("treasury", "money a government can spend now, in millions of US dollars (M$)"),
            ("price / reference", "a good's price as a multiple of its 2025 reference; above 1 is dear"),
            ("world share", "a country's share of the world's output of a good")]


def glossary(scenario) -> list[tuple[str, str, str]]:
    """(heading, term, explanation) rows: measures, goods, then orders."""
    rows = [("Measures", term, text) for term, text in MEASURES]
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
                               colour=OKABE_ITO["green"])]

    def back(self):
        self.control.switch("main", seat=self.seat, keep=True)

    def handle_event(self, event):
        if event.type == pygame.KEYDOWN:
            if event.key in (pygame.K_ESCAPE, pygame.K_h):
                self.back()
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
            text_surf = f.text(text, "small", MUTED)
            screen.blit(text_surf, (60 + max(360, term_surf.get_width() + 20), y),
                        pygame.Rect(0, 0, w - 480, text_surf.get_height()))
            y += f.sizes["small"] + 10
        screen.blit(f.text(f"row {self.scroll + 1} of {len(self.rows)}: wheel or arrows scroll", "small", MUTED),
                    (40, h - 70))
        for b in self.buttons:
            b.draw(screen, f)

"""Help: how a turn works, the keys, and a glossary of every good, measure, action and event,
with the goods' units and sources read from the ruleset. Opened with H or F1 from the game."""

from __future__ import annotations

import pygame

from game.ui.scenes import Scene
from game.ui.widgets import MUTED, OKABE_ITO, Button, _wrap, draw_lines

HOW_TO_PLAY = [
    "How a turn goes",
    "  1. Look: the map shows who sides with whom (colour) and, for the chosen good, last turn's trade.",
    "  2. Order: on the Orders tab pick an action, then its good, target and amounts. The engine checks",
    "     the order before you add it: its cost in M$, or the reason it would be refused.",
    "  3. End the turn (E). Every AI seat chooses its orders, then the world moves six months.",
    "  4. Read the News and Scores tabs to see what your orders did.",
    "",
    "Keys",
    "  1-6 side-panel tabs   E end turn   H or F1 this help   Ctrl+S save   P pause the timer",
    "  mouse wheel or + / - zoom the map   drag or arrow keys pan   [ ] previous / next good",
    "",
]
MEASURES = {
    "alignment": "From -1 (in China's bloc) to +1 (with the West); drifts with trade, deals and pressure.",
    "stability": "From 0 (government collapse) to 1 (solid); hardship and sanctions wear it down.",
    "treasury": "Money a government can spend on orders, in millions of US dollars (M$).",
    "may spend": "Treasury plus what the seat may still borrow: the most an order may cost.",
    "score": "How well a seat meets its goals (supply security, economy, influence); the Scores tab "
             "compares it with the status-quo game of the same seed.",
    "price (x reference)": "A good's price divided by its 2025 reference price: 1.00 is normal, 2.00 double.",
    "world share": "A country's part of the world's output of a good this turn.",
}


def glossary_lines(scenario) -> list[tuple[str, str]]:
    """(text, kind) lines: kind is 'head', 'term' or 'body' for colour."""
    lines = [(t, "head" if t and not t.startswith(" ") else "body") for t in HOW_TO_PLAY]
    lines.append(("Measures", "head"))
    for term, words in MEASURES.items():
        lines += _entry(term, words)
    lines.append(("Goods", "head"))
    for gid, good in scenario.goods.items():
        lines += _entry(f"{gid}: {good.name}", f"{good.stage}, counted in {good.unit}, reference price "
                        f"{good.price:g}. Source: {good.source}")
    lines.append(("Actions", "head"))
    for aid, action in scenario.actions.items():
        if action.enabled:
            cost = f" Base cost {action.cost:g} M$." if action.cost else ""
            lines += _entry(aid, f"{action.description}.{cost} Who may: {', '.join(action.who)}.")
    lines.append(("Events", "head"))
    for eid, event in scenario.events.items():
        lines += _entry(eid, f"{event.description} Chance each turn {event.probability:.0%}.")
    return lines


def _entry(term: str, words: str) -> list[tuple[str, str]]:
    return [(f"  {term}", "term")] + [(f"      {w}", "body") for w in _wrap(words, 110)]


class HelpScene(Scene):
    name = "help"

    def startup(self, back: str = "main", **kwargs):
        self.back, self.back_kwargs = back, kwargs
        self.lines = glossary_lines(self.control.scenario)
        self.top = 0
        super().startup()

    def layout(self):
        w, h = self.control.size
        self.buttons = [Button("Back to the game  (Esc)", (w - 340, 14, 320, 48), self.close,
                               colour=OKABE_ITO["green"])]
        line_h = self.control.fonts.text("Ag", "small").get_height() + 4
        self.rows = max(5, (h - 110) // line_h)

    def close(self):
        self.control.switch(self.back, **self.back_kwargs)

    def scroll(self, by: int):
        self.top = max(0, min(len(self.lines) - self.rows, self.top + by))

    def handle_event(self, event):
        if event.type == pygame.KEYDOWN:
            if event.key in (pygame.K_ESCAPE, pygame.K_h, pygame.K_F1):
                self.close()
                return
            steps = {pygame.K_DOWN: 1, pygame.K_UP: -1, pygame.K_PAGEDOWN: self.rows, pygame.K_PAGEUP: -self.rows}
            if event.key in steps:
                self.scroll(steps[event.key])
                return
        if event.type == pygame.MOUSEWHEEL:
            self.scroll(-3 * event.y)
            return
        super().handle_event(event)

    def draw(self, screen):
        super().draw(screen)
        f, (w, h) = self.control.fonts, self.control.size
        screen.blit(f.text("Help and glossary", "title", OKABE_ITO["orange"]), (30, 14))
        y = 90
        colours = {"head": OKABE_ITO["sky"], "term": OKABE_ITO["yellow"], "body": None}
        for text, kind in self.lines[self.top:self.top + self.rows]:
            y = draw_lines(screen, f, [text], 30, y, w - 60, "small", colours[kind] or (235, 235, 235))
        more = f"lines {self.top + 1}-{min(len(self.lines), self.top + self.rows)} of {len(self.lines)}: " \
               "wheel, arrows or Page Up/Down to scroll"
        screen.blit(f.text(more, "small", MUTED), (30, h - 30))
        for b in self.buttons:
            b.draw(screen, f)

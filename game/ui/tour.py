"""The guided tour of the main screen: offered on the first turn (the guide's button, or T),
skippable at any step (Skip or Esc), opened again from Help.

Each step names a real widget of the main scene, opens the tab it is on, dims the rest of the
screen and draws an arrow from its note to the widget's rectangle. Next and Back (or the right
and left arrow keys) move through the steps; the rest of the screen still answers, so a
player can click a country or an action while the note explains it.
"""

from __future__ import annotations

import pygame

from game.ui.widgets import OKABE_ITO, TEXT, Button, wrap_pixels

HIGHLIGHT = OKABE_ITO["yellow"]


def _union(rects) -> pygame.Rect:
    rects = [pygame.Rect(r) for r in rects]
    return rects[0].unionall(rects[1:]) if rects else pygame.Rect(0, 0, 0, 0)


def steps(scene) -> list[tuple[str, str, str, object]]:
    """(title, words, tab to open or "", the rectangle to point at as a function of the scene)."""
    game = scene.control.game
    moves = [text for text, _ in scene.briefing.first_moves]
    move = moves[0] if moves else ""
    action = move.split()[0] if move else ""
    actions = scene.composer.actions()
    later = action in actions and actions.index(action) >= 12      # the composer shows twelve a page

    def bar(*items):
        return lambda s: _union([s.bar_tips[i][0] for i in items if i < len(s.bar_tips)])

    def action_rect(s):
        button = next((b for b in s.composer.buttons if b.label == action), None)
        return button.rect if button else _union([b.rect for b in s.composer.buttons[:12]])

    return [
        ("The date and the turn", f"Each turn is half a year (H1 or H2); this game lasts {game.turns} turns. "
         "Your orders are for the turn shown.", "", bar(1, 2)),
        ("Your money", "Your treasury, and what you may spend this turn with what you may still borrow, in "
         "millions of US dollars (M$). Most orders cost money.", "", bar(3, 4)),
        ("Your score", "From 0 to 1: how well your role's goals are met. It appears after the first turn; the "
         "end of the game compares it with the game nobody changed.", "", bar(5)),
        ("End turn", "When your orders are in, press End turn (E). The turn resolves and the next begins; "
         "in a hot seat the screen passes to the next person first.", "", lambda s: s.end_button.rect),
        ("The world board", "Each disc is a country, coloured by its bloc (blue western, vermillion China's, "
         "orange in between). Hover one for its numbers, click one to select it: try it now. Arcs are the "
         "trade of one good; [ and ] change the good.", "", lambda s: s.map_rect),
        ("The Country tab", "The selected country: its standing, what it makes and buys most, and the export "
         "controls it imposes and faces. Your own seat adds your treasury and stockpile.", "country",
         lambda s: s.panel),
        ("The Markets tab", "The chosen good's price over the turns: one line per side when an export control "
         "splits the world, the 2025 price dashed, supply and shortage below. Hover the chart for the values; "
         "< > or a click on a good's row changes the good.", "markets", lambda s: s.chart_rect),
        ("The Orders tab", "Pick an action, set its fields with < > and - +; the line under them says whether "
         "the engine would carry it out and what it costs. Send it; you may cancel it until the turn ends."
         + (f" Your briefing suggests: {move}" if move else "")
         + (f" ({action} is under 'more actions')." if later else ""), "orders", action_rect),
        ("The News tab", "After each turn: the events, and the orders every side carried out (orders are "
         "public), the great powers first.", "news", lambda s: s.panel),
        ("The Scores tab", "Every side's score this turn, yours and the great powers first. Each role has its "
         "own goals: compare a side with itself over time.", "scores", lambda s: s.panel),
        ("That is the tour", "Now compose your first order and End turn (E). H opens help and the glossary; "
         "the tour opens again from Help or with T.", "orders", lambda s: s.end_button.rect),
    ]


class Tour:
    """The tour's state and drawing; the main scene owns one."""

    def __init__(self, scene):
        self.scene = scene
        self.active = False
        self.index = 0
        self.steps: list = []
        self._overlay, self._overlay_key = None, None
        self.buttons: list[Button] = []
        self.box = pygame.Rect(0, 0, 0, 0)
        self.target = pygame.Rect(0, 0, 0, 0)
        self.lines: list[str] = []

    def start(self) -> None:
        self.steps = steps(self.scene)
        self.active, self.index = True, 0
        self.enter()

    def stop(self) -> None:
        self.active = False
        self.scene.set_tab("orders")

    def go(self, step: int) -> None:
        if step >= len(self.steps):
            self.stop()
            return
        self.index = max(0, step)
        self.enter()

    def enter(self) -> None:
        tab = self.steps[self.index][2]
        if tab:
            self.scene.set_tab(tab)
        self.layout()

    @property
    def title(self) -> str:
        return self.steps[self.index][0] if self.active else ""

    def layout(self) -> None:
        """The note's box beside the widget, its words and its buttons."""
        scene = self.scene
        f = scene.control.fonts
        w, h = scene.control.size
        title, words, _, rect_of = self.steps[self.index]
        self.target = pygame.Rect(rect_of(scene))
        width = min(560, max(380, w // 3))
        self.lines = wrap_pixels(f, words, width - 28)
        line_h = f.fonts["small"].get_height() + 4
        height = 24 + f.fonts["body"].get_height() + len(self.lines) * line_h + 60
        self.box = self._place(width, height, w, h)
        y = self.box.bottom - 46
        last = self.index == len(self.steps) - 1
        self.buttons = [Button("Back", (self.box.x + 14, y, 100, 34), lambda: self.go(self.index - 1),
                               colour=(70, 80, 100), size="small", tip="The previous step (left arrow key)."),
                        Button("Done" if last else "Next", (self.box.right - 114, y, 100, 34),
                               lambda: self.go(self.index + 1), colour=OKABE_ITO["green"], size="small",
                               tip="The next step (right arrow key)."),
                        Button("Skip tour", (self.box.centerx - 60, y, 120, 34), self.stop, colour=(90, 70, 70),
                               size="small", tip="Close the tour (Esc); Help or T opens it again.")]
        self.buttons[0].enabled = self.index > 0

    def _place(self, width: int, height: int, w: int, h: int) -> pygame.Rect:
        """Beside the target where there is room: below, right, left, above; else the middle."""
        t, gap = self.target, 28
        for x, y in ((t.x, t.bottom + gap), (t.right + gap, t.y), (t.x - gap - width, t.y),
                     (t.x, t.y - gap - height), (t.centerx - width // 2, t.bottom + gap)):
            box = pygame.Rect(x, y, width, height)
            box.clamp_ip(pygame.Rect(0, 0, w, h))
            if not box.colliderect(t.inflate(8, 8)):
                return box
        box = pygame.Rect(0, 0, width, height)
        box.center = (w // 2, h // 2)
        if box.colliderect(t):                     # a big target (the board): the note sits inside its corner
            box.bottomright = (t.right - 12, t.bottom - 12)
        return box

    def handle_event(self, event) -> bool:
        if not self.active:
            return False
        if event.type == pygame.KEYDOWN:
            if event.key == pygame.K_ESCAPE:
                self.stop()
                return True
            if event.key == pygame.K_RIGHT:
                self.go(self.index + 1)
                return True
            if event.key == pygame.K_LEFT:
                self.go(self.index - 1)
                return True
        if any(b.handle(event) for b in self.buttons):
            return True
        return event.type == pygame.MOUSEBUTTONDOWN and self.box.collidepoint(event.pos)   # the note's own face

    def update(self) -> None:
        if self.active:
            self.layout()                          # the widget may have moved (resize, a new page)

    def overlay(self) -> pygame.Surface:
        """The screen dimmed except the target, made once per step and window size."""
        size = self.scene.control.size
        key = (size, tuple(self.target))
        if key != self._overlay_key:
            surf = pygame.Surface(size, pygame.SRCALPHA)
            surf.fill((0, 0, 0, 120))
            surf.fill((0, 0, 0, 0), self.target)
            self._overlay, self._overlay_key = surf, key
        return self._overlay

    def draw(self, screen) -> None:
        if not self.active:
            return
        f = self.scene.control.fonts
        screen.blit(self.overlay(), (0, 0))
        pygame.draw.rect(screen, HIGHLIGHT, self.target.inflate(6, 6), 3, border_radius=6)
        self._arrow(screen)
        pygame.draw.rect(screen, (12, 14, 20), self.box, border_radius=10)
        pygame.draw.rect(screen, HIGHLIGHT, self.box, 2, border_radius=10)
        head = f"{self.title}  ({self.index + 1} of {len(self.steps)})"
        screen.blit(f.text(head, "body", HIGHLIGHT), (self.box.x + 14, self.box.y + 12))
        y = self.box.y + 18 + f.fonts["body"].get_height()
        for line in self.lines:
            screen.blit(f.text(line, "small", TEXT), (self.box.x + 14, y))
            y += f.fonts["small"].get_height() + 4
        for b in self.buttons:
            b.draw(screen, f)

    def arrow_points(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """From the note's edge nearest the target to the target's edge nearest the note."""
        t, b = self.target.inflate(6, 6), self.box
        tip = (min(max(b.centerx, t.x), t.right), min(max(b.centery, t.y), t.bottom))
        if t.collidepoint(b.center):               # the note sits inside the target: point at its edge
            tip = (t.centerx, t.y)
        tail = (min(max(tip[0], b.x), b.right), min(max(tip[1], b.y), b.bottom))
        return tail, tip

    def _arrow(self, screen) -> None:
        tail, tip = self.arrow_points()
        if tail == tip:
            return
        pygame.draw.line(screen, HIGHLIGHT, tail, tip, 4)
        v = pygame.math.Vector2(tip[0] - tail[0], tip[1] - tail[1])
        if v.length() < 1:
            return
        v.scale_to_length(16)
        left, right = v.rotate(150), v.rotate(-150)
        pygame.draw.polygon(screen, HIGHLIGHT, [tip, (tip[0] + left.x, tip[1] + left.y),
                                                (tip[0] + right.x, tip[1] + right.y)])

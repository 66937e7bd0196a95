"""The main game screen: top bar, world board, and the side panel's tabs."""

from __future__ import annotations

import pygame

from game.ui import panels
from game.ui.board import Board
from game.ui.composer import Composer
from game.ui.facilitator import FacilitatorPanel
from game.ui.market_chart import MarketHistory
from game.ui.markets_tab import MarketsTab
from game.ui.scenes import Resolver, Scene
from game.ui.tour import Tour
from game.ui.widgets import (BACKGROUND, MUTED, OKABE_ITO, PANEL, TEXT, Button, TextBox, draw_lines, draw_tooltip,
                             hovered_tip, wrap_pixels)

PHASE_WORDS = {"events": "events", "orders": "the AI seats chose their orders",
               "adjudication": "orders carried out", "production": "production and trade",
               "finance": "money: taxes, debts and profits", "politics": "politics: alignment and stability",
               "scoring": "scores", "end_of_turn": "end of turn"}
TABS = ("orders", "country", "markets", "news", "scores", "facilitator")
TAB_LABELS = {"orders": "Orders", "country": "Country", "markets": "Markets", "news": "News",
              "scores": "Scores", "facilitator": "Facil."}
TAB_TIPS = {"orders": "Compose, check and send this turn's orders; cancel pending ones (key 1).",
            "country": "The selected country: stocks, capacity, treasury, stability (key 2). Click a disc on the map.",
            "markets": "A good's price over the turns (a line per side when a control splits its market), "
                       "world supply and shortage, and every good against its 2025 reference (key 3).",
            "news": "What happened last turn: events and every seat's public actions (key 4).",
            "scores": "Each side's score against the status-quo game of the same seed (key 5).",
            "facilitator": "For the instructor: events, who plays each power, timer, pause, reveal all, end the "
                           "turn for everyone (key 6)."}


class MainScene(MarketsTab, Scene):
    name = "main"

    def startup(self, seat: str = "", keep: bool = False, **kwargs):
        if keep and getattr(self, "seat", None) == seat and hasattr(self, "composer"):
            self.layout()                    # back from the menu, help or settings: all as it was
            return
        self.seat = seat
        self.tab = getattr(self, "tab", "orders")
        self.messages: list[tuple[str, tuple]] = []    # (text, colour) under the order box
        self.resolver: Resolver | None = None
        self.queued_clicks = 0
        self.selected = seat
        self.dialog, self.dialog_exit = None, False     # lines of a message that must be read
        self.guide = True                       # the first turn's guide over the board (G)
        self.tour = Tour(self)                  # the guided tour: the guide's button, T, or Help
        self.tour_button = Button("Take the guided tour (T)", (-1000, -1000, 300, 34), self.start_tour,
                                  colour=OKABE_ITO["blue"], size="small",
                                  tip="A short tour of the screen, panel by panel; Skip or Esc closes it.")
        self.composer = Composer(self)
        from game.ui.briefings import briefing
        self.briefing = briefing(self.control.game.scenario, seat)
        self.refresh()
        super().startup()

    def refresh(self):
        """Read the seat's observation once; draw reads only what is kept here."""
        obs = self.control.game.observe(self.seat)
        self.public, self.private = obs["public"], obs["private"]
        history = getattr(self, "market_history", None)
        if history is None or history.game is not self.control.game:
            self.market_history = history = MarketHistory(self.control.game)
        history.update(self.public)
        if hasattr(self, "panel"):               # a new turn: last turn's queue and its buttons are gone
            self.composer.layout()
            self.messages = []

    def layout(self):
        w, h = self.control.size
        self.bar_h, self.panel_w = 56, max(460, w * 2 // 5)
        self.map_rect = pygame.Rect(0, self.bar_h, w - self.panel_w, h - self.bar_h)
        self.panel = pygame.Rect(w - self.panel_w, self.bar_h, self.panel_w, h - self.bar_h)
        px = self.panel.x + 12
        tab_w = (self.panel_w - 24) // len(TABS)
        self.buttons = [Button(TAB_LABELS[t], (px + i * tab_w, self.panel.y + 8, tab_w - 6, 40),
                               lambda t=t: self.set_tab(t), colour=(60, 70, 90), size="small",
                               tip=TAB_TIPS[t]) for i, t in enumerate(TABS)]
        self.end_button = Button("End turn (E)", (w - 200, 6, 190, 44), self.end_turn, colour=OKABE_ITO["green"],
                                 tip="Finish your orders for this turn; the turn resolves when every person has ended")
        self.menu_button = Button("Menu (Esc)", (w - 360, 6, 150, 44), self.open_menu, colour=(60, 70, 90),
                                  tip="Save, load, settings, help, or leave to the title screen")
        self.buttons += [self.end_button, self.menu_button]
        self.dialog_button = Button("OK  (Enter)", (0, 0, 200, 46), self.close_dialog, colour=OKABE_ITO["green"])
        self.order_box = TextBox((px, self.panel.bottom - 52, self.panel_w - 24, 40), self.submit_text,
                                 "or type an order here and press Enter")
        board = getattr(self, "board", None)
        self.board = board or Board(self.control, self.map_rect)
        self.board.rect, self.board._static_key = pygame.Rect(self.map_rect), None
        self.composer.layout()
        self.bar_tips = []
        self.rows, self.row_tips, self._rows_key = [], [], None
        self.bar_texts, self.tip, self.mouse = [], "", getattr(self, "mouse", pygame.mouse.get_pos())
        self.layout_markets()
        self.facil = FacilitatorPanel(self)
        self.facil.layout(self.panel)
        self.event_buttons, self.seat_controls = self.facil.event_buttons, self.facil.seat_controls

    def dialog_event(self, event) -> None:
        """While a dialog shows, only its OK button (or Enter / Esc) does anything."""
        if (event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_ESCAPE)) or \
                self.dialog_button.handle(event):
            self.close_dialog()

    def close_dialog(self) -> None:
        leave, self.dialog, self.dialog_exit = self.dialog_exit, None, False
        if leave:
            self.control.switch("title")

    def layout_dialog(self) -> None:
        f = self.control.fonts
        w, h = self.control.size
        width = min(w - 160, 1000)
        self.dialog_lines = [line for text in self.dialog for line in wrap_pixels(f, text, width - 40)]
        line_h = f.fonts["small"].get_height() + 4
        self.dialog_box = pygame.Rect(0, 0, width, len(self.dialog_lines) * line_h + 130)
        self.dialog_box.center = (w // 2, h // 2)
        self.dialog_button.rect.midbottom = (self.dialog_box.centerx, self.dialog_box.bottom - 14)

    def draw_dialog(self, screen) -> None:
        f, box = self.control.fonts, self.dialog_box
        pygame.draw.rect(screen, (12, 14, 20), box, border_radius=10)
        pygame.draw.rect(screen, OKABE_ITO["vermillion"], box, 3, border_radius=10)
        screen.blit(f.text("Something went wrong", "body", OKABE_ITO["vermillion"]), (box.x + 20, box.y + 14))
        draw_lines(screen, f, self.dialog_lines, box.x + 20, box.y + 56, box.w - 40, "small", TEXT)
        self.dialog_button.draw(screen, f)

    def set_tab(self, tab: str):
        self.tab = tab

    def start_tour(self) -> None:
        if self.resolver:
            self.messages = [("The turn is resolving: the tour starts when it is done.", OKABE_ITO["vermillion"])]
            return
        self.tour.start()

    def guide_shown(self) -> bool:
        return (self.public["turn"] == 0 and self.tab == "orders" and self.guide and not self.resolver
                and not self.tour.active)

    # -- input ---------------------------------------------------------------------------
    def handle_event(self, event):
        if self.dialog:
            self.dialog_event(event)
            return
        if hasattr(event, "pos") and event.type in (pygame.MOUSEMOTION, pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
            self.mouse = event.pos                     # where the tooltip looks
        if self.tour.handle_event(event):
            return
        if self.guide_shown() and self.tour_button.handle(event):
            return
        if self.tab != "orders":
            self.order_box.focused = False          # the box is only live on its own tab
        elif self.order_box.handle(event):
            return
        elif not self.order_box.focused and self.composer.handle_event(event):
            return
        if self.tab == "facilitator" and self.facil.handle(event):
            return
        if self.tab == "markets" and self.markets_event(event):
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            self.open_menu()
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_p:
            if self.facil.locked:
                self.messages = [("Only the facilitator may pause: enter the PIN on the Facilitate tab.",
                                  OKABE_ITO["vermillion"])]
            else:
                self.seat_controls.pause()
            return
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_h, pygame.K_F1):
            if self.resolver:
                self.messages = [("The turn is resolving: help opens when it is done.", OKABE_ITO["vermillion"])]
            else:
                self.control.switch("help", seat=self.seat)
            return
        if event.type == pygame.KEYDOWN:
            if event.key == pygame.K_s and event.mod & pygame.KMOD_CTRL:
                self.save()
                return
            if event.key == pygame.K_e:
                self.end_turn()
                return
            if event.key in (pygame.K_LEFTBRACKET, pygame.K_RIGHTBRACKET):
                self.pick_good(1 if event.key == pygame.K_RIGHTBRACKET else -1)
                return
            if event.key == pygame.K_t and not self.order_box.focused:
                self.start_tour()
                return
            if event.key == pygame.K_g:
                self.guide = not self.guide
                return
            if pygame.K_1 <= event.key < pygame.K_1 + len(TABS):
                self.set_tab(TABS[event.key - pygame.K_1])
                return
        picked = self.board.handle_event(event)
        if picked:
            self.selected, self.tab = picked, "country"
            return
        super().handle_event(event)

    def submit_text(self, text: str):
        if self.resolver:
            self.messages = [("The turn is resolving: your order was not sent. Try again in a moment.",
                              OKABE_ITO["vermillion"])]
            return
        rejected = self.control.game.submit(self.seat, text)
        if rejected:
            self.messages = [(f"Refused: {why}", OKABE_ITO["vermillion"]) for _, why in rejected]
        else:
            self.messages = [(f"Queued for next turn: {text}", OKABE_ITO["green"])]
            self.order_box.value = ""
        self.composer.layout()

    def open_menu(self):
        if self.resolver:
            self.messages = [("The turn is resolving: the menu opens when it is done.", OKABE_ITO["vermillion"])]
            return
        self.control.switch("menu", seat=self.seat)

    def inject(self, event_id: str):
        self.control.game.inject(event_id)
        self.messages = [(f"Facilitator: {event_id} will happen at the start of next turn", OKABE_ITO["purple"])]

    def save(self):
        path = self.control.save_game()
        self.messages = [(f"Saved to {path}", OKABE_ITO["green"])]

    def end_turn(self):
        if self.resolver:
            self.queued_clicks += 1        # shown: "already resolving"
            return
        if self.control.timer.paused:
            self.messages = [("The facilitator has paused the game: End turn waits until it resumes (P).",
                              OKABE_ITO["vermillion"])]
            return
        self.control.seat_done(self.seat)

    def start_resolving(self):
        from game.ui.recovery import Checkpoint
        self.checkpoint = Checkpoint(self.control.game, self.control.humans)   # the way back if it fails
        self.resolver = Resolver(self.control.game)
        self.spinner = 0.0

    # -- state ---------------------------------------------------------------------------
    def update(self, dt: float):
        if getattr(self.control, "tour_requested", False):     # Help's "Guided tour" button
            self.control.tour_requested = False
            self.start_tour()
        self.facil.update()
        self.tour.update()
        if self.dialog:
            self.layout_dialog()
        self.layout_rows()
        self.layout_bar()
        self.tip = self.hovered()
        if not self.resolver:
            self.control.timer.tick(dt)
        if self.resolver:
            self.spinner += dt
            if self.resolver.done:
                resolver, self.resolver = self.resolver, None
                self.queued_clicks = 0
                self.control.turn_resolved(resolver.report, resolver.error, self.checkpoint)

    # -- drawing -------------------------------------------------------------------------
    def draw(self, screen):
        screen.fill(BACKGROUND)
        self.draw_map(screen)
        self.draw_bar(screen)
        pygame.draw.rect(screen, PANEL, self.panel)
        for b in self.buttons:
            if b not in (self.end_button, self.menu_button):
                b.colour = OKABE_ITO["sky"] if b.label == TAB_LABELS[self.tab] else (60, 70, 90)
            b.draw(screen, self.control.fonts)
        getattr(self, f"draw_{self.tab}")(screen)
        if self.resolver:
            self.draw_progress(screen)
        elif self.guide_shown():
            self.draw_first_turn(screen)
        self.tour.draw(screen)
        if self.dialog and hasattr(self, "dialog_box"):
            self.draw_dialog(screen)
        else:
            draw_tooltip(screen, self.control.fonts, self.tip, self.mouse)

    def country_tip(self, cid) -> str:
        if not cid:
            return ""
        c = self.control.game.scenario.countries[cid]
        i = list(self.public["countries"]).index(cid)
        return (f"{c.name}: {c.kind.replace('_', ' ')}, GDP {c.gdp:,.0f} $bn a year, alignment "
                f"{float(self.public['alignment'][i]):+.2f} (+1 western, -1 China's bloc). Click for details.")

    def bar_items(self) -> list[tuple[str, str]]:
        """The top bar's (text, tooltip) items."""
        g, priv = self.control.game, self.private
        year, half = int(self.public["year"]), "H1" if self.public["turn"] % 2 == 0 else "H2"
        name = g.scenario.countries[self.seat].name if self.seat in g.scenario.countries else self.seat
        items = [(f"{self.seat}", f"You play {name}. Hot seat: the screen passes to the next person when you end "
                                  "your turn."),
                 (f"{year} {half}", "The half-year the next turn plays (H1 January-June, H2 July-December); "
                                    "each turn is six months."),
                 (f"turn {min(g.turn + 1, g.turns)} of {g.turns}",
                  "The turn you are giving orders for, of the game's total; the game ends after the last."),
                 (f"treasury {priv['treasury']:,.0f} M$",
                  "Treasury: money your government can spend on orders now, in millions of US dollars (M$)."),
                 (f"may spend {priv.get('spending_room', priv['treasury']):,.0f} M$",
                  "Spending room: treasury plus what you may still borrow, the most your orders may cost this turn."),
                 (f"score {priv['score']:.3f}" if g.turn else "score: after turn 1",
                  "Your score last turn, 0 to 1: how well your role's goals are met (H, then Measures, lists them). "
                  "The after-action screen compares it with the status-quo game.")]
        if self.control.timer.paused:
            items.append(("PAUSED", "The facilitator has paused the game: the timer stands still and End turn "
                                    "waits until the game resumes (P)."))
        if self.control.timer.per_turn:
            items.append((self.control.timer.label(),
                          "The facilitator's turn timer (P pauses it); when it runs out, end the turn (E)."))
        return items

    def layout_bar(self) -> None:
        f, x = self.control.fonts, 12
        self.bar_texts, self.bar_tips = [], []
        for text, tip in self.bar_items():
            width = f.text(text).get_width()
            self.bar_texts.append((text, x))
            self.bar_tips.append((pygame.Rect(x, 8, width, 40), tip))
            x += width + 28

    def hovered(self) -> str:
        """The tooltip under the mouse: a number, a button, a row of a tab, or a country."""
        mouse = self.mouse
        tip = hovered_tip(self.tour.buttons if self.tour.active else [], mouse)
        if self.tour.active and self.tour.box.collidepoint(mouse):
            return tip if self.control.settings.tooltips else ""
        tip = tip or hovered_tip(([self.tour_button] if self.guide_shown() else []) + self.bar_tips + self.buttons + (self.composer.buttons + self.composer.field_tips if self.tab == "orders" else [])
                          + (self.row_tips if self.tab in ("country", "markets", "news", "scores") else []), mouse)
        if not tip and self.tab == "markets":
            tip = hovered_tip(self.good_buttons, mouse) or self.chart_tip(mouse)
        if not tip and self.map_rect.collidepoint(mouse):
            tip = self.country_tip(self.board.country_at(mouse))
        return tip if self.control.settings.tooltips else ""

    def draw_bar(self, screen):
        pygame.draw.rect(screen, PANEL, (0, 0, self.control.size[0], self.bar_h))
        for text, x in self.bar_texts:
            screen.blit(self.control.fonts.text(text), (x, 16))

    def draw_map(self, screen):
        self.board.draw(screen, self.public, self.selected, self.control.fonts)

    def panel_text(self, screen, lines, y_offset=60, colour=TEXT):
        return draw_lines(screen, self.control.fonts, lines, self.panel.x + 12, self.panel.y + y_offset,
                          self.panel_w - 24, "small", colour)

    def draw_orders(self, screen):
        self.composer.draw(screen)
        f = self.control.fonts
        for text, colour in self.messages[-1:]:
            lines = wrap_pixels(f, text, self.panel_w - 24)[:2]
            y = self.order_box.rect.y - 8 - len(lines) * (f.fonts["small"].get_height() + 4)
            draw_lines(screen, f, lines, self.panel.x + 12, y, self.panel_w - 24, "small", colour)
        self.order_box.draw(screen, self.control.fonts)

    def tab_rows(self) -> list[tuple[str, str]]:
        """The rows of a text tab: (text, tooltip)."""
        if self.tab == "country":
            return panels.country_rows(self, self.selected)
        if self.tab == "markets":
            return panels.market_rows(self)
        if self.tab == "news":
            return panels.news_rows(self)
        if self.tab == "scores":
            return panels.score_rows(self)
        return []

    def layout_rows(self) -> None:
        """Rows and their hover rectangles, rebuilt only when what they show changes."""
        key = (self.tab, self.selected, int(self.public["turn"]), id(self.control.last_report), self.control.reveal_all,
               len(self.control.scores_cache), self.panel.topleft, self.control.fonts.sizes["small"],
               self.board.good if self.tab == "markets" else "")
        if key == getattr(self, "_rows_key", None):
            return
        self._rows_key = key
        line_h = self.control.fonts.fonts["small"].get_height() + 4
        x, y, w = self.panel.x + 12, self.panel.y + 60, self.panel_w - 24
        self.rows, self.row_tips, self.market_row_goods = [], [], []
        rows = self.tab_rows()
        if self.tab == "markets":
            rows = self.market_window(rows, (self.panel.bottom - self.chart_rect.bottom - 8) // line_h)
            y = self.chart_rect.bottom + 8
        for i, (text, tip) in enumerate(rows):
            rect = pygame.Rect(x, y + i * line_h, w, line_h)
            if rect.bottom > self.panel.bottom:
                break
            self.rows.append(text)
            if tip:
                self.row_tips.append((rect, tip))
            good = text.strip().split(":")[0] if self.tab == "markets" and i else ""
            if good in self.public["goods"]:
                self.market_row_goods.append((rect, good))

    def draw_text_tab(self, screen):
        self.panel_text(screen, self.rows)

    draw_country = draw_news = draw_scores = draw_text_tab

    def draw_facilitator(self, screen):
        self.facil.draw(screen)

    def draw_progress(self, screen):
        """A real bar: phases of the turn done so far, and what the engine last finished."""
        f = self.control.fonts
        r = pygame.Rect(0, 0, self.map_rect.w * 2 // 3, 150)
        r.center = self.map_rect.center
        pygame.draw.rect(screen, PANEL, r, border_radius=8)
        pygame.draw.rect(screen, OKABE_ITO["sky"], r, 2, border_radius=8)
        done, total, name = self.resolver.progress
        screen.blit(f.text(f"Resolving turn {self.public['turn'] + 1}: {done} of {total} phases done"),
                    (r.x + 20, r.y + 16))
        doing = PHASE_WORDS.get(name, name) if done else "starting"
        screen.blit(f.text(f"last done: {doing}  ({self.spinner:.1f} s)", "small", MUTED), (r.x + 20, r.y + 50))
        pygame.draw.rect(screen, (16, 18, 24), (r.x + 20, r.y + 80, r.w - 40, 18))
        pygame.draw.rect(screen, OKABE_ITO["sky"], (r.x + 20, r.y + 80, (r.w - 40) * done // total, 18))
        note = ("Already ending the turn: wait for it." if self.queued_clicks else
                "You can look around; orders wait until the turn is over.")
        screen.blit(f.text(note, "small", OKABE_ITO["orange"] if self.queued_clicks else MUTED), (r.x + 20, r.y + 112))

    def draw_first_turn(self, screen):
        """The guide to the first turn, over the top of the board until the turn is played."""
        f = self.control.fonts
        steps = [f"Your first turn as {self.seat}  (G hides this guide)",
                 "1. The board: hover a country, [ ] change the good, click to select one.",
                 "2. On the right, pick an order and its fields; the line under them says if it would work.",
                 "3. Send it (you may cancel it until the turn ends), then End turn (E).  H: help.",
                 "Sensible first moves for your role:"]
        steps += [f"   {text}" for text, _ in self.briefing.first_moves]
        width = max(f.text(t, "small").get_width() for t in steps) + 24
        height = sum(f.text(t, "small").get_height() + 4 for t in steps)
        r = pygame.Rect(self.map_rect.x + 8, self.map_rect.y + 8, min(width, self.map_rect.w - 16), height + 62)
        pygame.draw.rect(screen, (10, 12, 18), r, border_radius=8)
        pygame.draw.rect(screen, OKABE_ITO["yellow"], r, 2, border_radius=8)
        draw_lines(screen, f, steps, r.x + 12, r.y + 8, r.w - 24, "small", TEXT)
        self.tour_button.rect.topleft = (r.x + 12, r.bottom - 42)
        self.tour_button.draw(screen, f)

"""The markets tab of the main screen: the chart of the charted good (the same good the
board's arcs show), its picker, and the list of every good against its 2025 price."""

from __future__ import annotations

import pygame

from game.ui.market_chart import MarketChart
from game.ui.widgets import TEXT, Button


class MarketsTab:
    """The main scene's markets tab (a part of MainScene: it reads the scene's public
    observation, panel, board, rows and fonts)."""

    def layout_markets(self) -> None:
        px = self.panel.x + 12
        self.chart = getattr(self, "chart", None) or MarketChart()
        top = self.panel.y + 96
        self.chart_rect = pygame.Rect(px, top, self.panel_w - 24, max(300, int(self.panel.h * 0.56)))
        self.good_buttons = [
            Button("<", (px, self.panel.y + 56, 44, 32), lambda: self.pick_good(-1), colour=(70, 80, 100),
                   size="small", tip="The previous good (key [); the map shows the same good."),
            Button(">", (px + self.panel_w - 68, self.panel.y + 56, 44, 32), lambda: self.pick_good(+1),
                   colour=(70, 80, 100), size="small", tip="The next good (key ]); the map shows the same good.")]
        self.market_row_goods: list[tuple[pygame.Rect, str]] = []

    def charted_index(self) -> int:
        """The index of the charted good (the first good until one is chosen)."""
        goods = list(self.public["goods"])
        return goods.index(self.board.good) if self.board.good in goods else 0

    def pick_good(self, direction: int) -> None:
        """The good the markets chart and the map's arcs show: one choice for both, in the
        order the markets tab lists the goods."""
        goods = list(self.public["goods"])
        i = goods.index(self.board.good) if self.board.good in goods else -direction
        self.board.good = goods[(i + direction) % len(goods)]

    def markets_event(self, event) -> bool:
        """The good picker's buttons, and a click on a good's row, choose the charted good."""
        if any(b.handle(event) for b in self.good_buttons):
            return True
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            for rect, good in self.market_row_goods:
                if rect.collidepoint(event.pos):
                    self.board.good = good
                    return True
        return False

    def market_window(self, rows, room: int):
        """The header and as many goods' rows as fit, the charted good among them."""
        goods = list(self.public["goods"])
        j = self.charted_index()
        room = max(2, room)
        start = max(0, min(j - (room - 1) // 2, len(goods) - (room - 1)))
        head = ("Every good where you buy, x its 2025 price (click to chart):", rows[0][1])
        return [head] + rows[1 + start:1 + start + room - 1]

    def chart_state(self):
        """(good index, good, reference price) of the charted good."""
        j = self.charted_index()
        good = self.public["goods"][j]
        return j, self.control.game.scenario.goods[good], float(self.public["ref_price"][j])

    def prepare_chart(self) -> None:
        """Draw the chart again only when the good, the turns kept, the size or the fonts change."""
        j, good, ref = self.chart_state()
        key = (j, self.market_history.version, id(self.market_history), self.chart_rect.size,
               self.control.fonts.sizes["small"])
        if key != self.chart.key:
            countries = list(self.public["countries"])
            own = countries.index(self.seat) if self.seat in countries else None
            series = self.market_history.series(j, self.public["alignment"], own, f"you ({self.seat})")
            self.chart.prepare(self.chart_rect, key, series, good, ref, self.control.fonts)
        elif self.chart.rect != self.chart_rect:
            self.chart.key = None
            self.prepare_chart()

    def chart_tip(self, pos) -> str:
        if self.chart.surface is None:
            return ""
        _, good, ref = self.chart_state()
        start = float(self.public["year"]) - max(int(self.public["turn"]) - 1, 0) * 0.5
        return self.chart.tip(pos, good, ref, start)

    def draw_markets(self, screen):
        f = self.control.fonts
        self.prepare_chart()
        screen.blit(self.chart.surface, self.chart_rect)
        for b in self.good_buttons:
            b.draw(screen, f)
        j, good, _ = self.chart_state()
        label = f.text(f"{self.public['goods'][j]}  ({j + 1} of {len(self.public['goods'])})", "small", TEXT)
        screen.blit(label, label.get_rect(center=(self.panel.centerx, self.panel.y + 72)))
        for rect, g in self.market_row_goods:
            if g == self.public["goods"][j]:
                pygame.draw.rect(screen, (56, 66, 86), rect)
        self.panel_text(screen, self.rows, self.chart_rect.bottom + 8 - self.panel.y)

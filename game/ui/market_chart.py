"""The markets tab's charts: a good's price over every turn so far, one line per side of the
world when an export control splits its market, the 2025 reference price dashed, and the
world's supply and shortage as bars under it.

The history comes from the seat's observations as the window sees them, and, for the turns
before the window opened (a loaded game), from `Game.metrics()` when the game offers it (a
LAN client's game does not: its chart starts at the turn it joined). Sides are the board's
alignment groups (western bloc, China's bloc, the countries in between, by their alignment
now); a side's price is the demand-weighted price of its countries. The chart is drawn once
into a surface per (good, turn, size) and only blitted between, so it costs a frame nothing.
"""

from __future__ import annotations

import numpy as np
import pygame

from game.ui.widgets import MUTED, OKABE_ITO, TEXT

SIDES = (("western bloc", OKABE_ITO["blue"]), ("in between", OKABE_ITO["orange"]),
         ("China's bloc", OKABE_ITO["vermillion"]))
WORLD = ("world", OKABE_ITO["sky"])
SPLIT_GAP = 0.02           # sides whose prices differ by more than 2% at some turn are drawn apart
OWN = (240, 240, 240)          # the seat's own price: white, thinner, over the sides
SUPPLY, SHORTAGE, REFERENCE = OKABE_ITO["green"], OKABE_ITO["yellow"], (200, 200, 210)


def side_of(alignment: float) -> int:
    """The board's groups: >= +0.5 western, <= -0.5 China's bloc, the rest in between."""
    return 0 if alignment >= 0.5 else 2 if alignment <= -0.5 else 1


class MarketHistory:
    """Per turn: every country's price and demand of every good, world supply and shortage."""

    def __init__(self, game):
        self.game = game
        self.records: dict[int, dict] = {}
        self.backfilled = False
        self.version = 0

    def update(self, public) -> None:
        """Keep the observation's market; the first time, fill the turns before it from the
        game's metrics. Called when the scene reads a new observation, never while a turn
        resolves (the metrics are the worker's then)."""
        turn = int(public["turn"])
        if not self.backfilled:
            self.backfilled = True
            if turn > 0 and hasattr(self.game, "metrics"):
                self._backfill(list(public["countries"]), list(public["goods"]))
        self.records[turn] = {"price": np.array(public["price"], dtype=float),
                              "demand": np.array(public["demand"], dtype=float),
                              "supply": np.array(public["world_production"], dtype=float),
                              "shortage": np.asarray(public["shortage"], dtype=float).sum(axis=0)}
        self.version += 1

    def _backfill(self, countries: list[str], goods: list[str]) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc
        table = self.game.metrics()
        wanted = ("price", "demand", "production", "shortage")
        table = table.filter(pc.is_in(table.column("metric"), value_set=pa.array(wanted)))
        if table.num_rows == 0:
            return
        turns = table.column("turn").to_numpy()

        def codes(name: str, names: list[str]) -> np.ndarray:
            col = table.column(name).combine_chunks()
            if not pa.types.is_dictionary(col.type):
                col = col.dictionary_encode()
            where = {v: i for i, v in enumerate(names)}
            lookup = np.array([where.get(v, -1) for v in col.dictionary.to_pylist()], dtype=int)
            return lookup[col.indices.to_numpy(zero_copy_only=False)]

        ent, good, metric = codes("entity", countries), codes("good", goods), codes("metric", list(wanted))
        values = table.column("value").to_numpy()
        keep = (ent >= 0) & (good >= 0) & (metric >= 0)
        top = int(turns.max())
        cube = np.zeros((len(wanted), top + 1, len(countries), len(goods)))
        cube[metric[keep], turns[keep], ent[keep], good[keep]] = values[keep]
        for t in sorted(set(turns[keep].tolist())):
            if t not in self.records:
                self.records[t] = {"price": cube[0, t], "demand": cube[1, t], "supply": cube[2, t].sum(axis=0),
                                   "shortage": cube[3, t].sum(axis=0)}

    def series(self, j: int, alignment, own: int | None = None, own_label: str = "") -> dict:
        """Good `j` over the turns kept: a price line per side (or one world line when no
        side's price ever departs from the others'), the price country `own` pays when
        given, supply and shortage."""
        turns = sorted(self.records)
        groups = np.array([side_of(float(a)) for a in alignment])
        present = [k for k in range(len(SIDES)) if (groups == k).any()]
        lines = {k: [] for k in present}
        world = []
        for t in turns:
            rec = self.records[t]
            p, d = rec["price"][:, j], rec["demand"][:, j]
            world.append(_weighted(p, d))
            for k in present:
                lines[k].append(_weighted(p[groups == k], d[groups == k]))
        split = any(max(vals) > min(vals) * (1 + SPLIT_GAP)
                    for vals in zip(*(lines[k] for k in present)) if min(vals) > 0)
        if split:
            drawn = [(SIDES[k][0], SIDES[k][1], lines[k]) for k in present]
        else:
            drawn = [(WORLD[0], WORLD[1], world)]
        if own is not None:
            drawn.append((own_label or "you", OWN, [float(self.records[t]["price"][own, j]) for t in turns]))
        return {"turns": turns, "lines": drawn, "split": split,
                "supply": [float(self.records[t]["supply"][j]) for t in turns],
                "shortage": [float(self.records[t]["shortage"][j]) for t in turns]}


def _weighted(prices: np.ndarray, demand: np.ndarray) -> float:
    if prices.size == 0:
        return 0.0
    total = float(demand.sum())
    return float((prices * demand).sum() / total) if total > 0 else float(prices.mean())


def _ticks(top: float) -> list[float]:
    """Round numbers from 0 to just above `top`, four or five of them."""
    if top <= 0:
        return [0.0]
    step = 10 ** np.floor(np.log10(top / 3))
    for m in (1, 2, 2.5, 5, 10):
        if top / (m * step) <= 4:
            step *= m
            break
    last = np.ceil(top / step - 1e-9) * step          # the top tick is at or above `top`
    return [float(v) for v in np.arange(0, last + step * 0.01, step)]


def _number(v: float) -> str:
    return f"{v:,.3g}" if abs(v) < 1e4 else f"{v:,.0f}"


def _dashed(surface, colour, a, b, dash: int = 8, gap: int = 6) -> None:
    (x0, y0), (x1, y1) = a, b
    length = max(1.0, float(np.hypot(x1 - x0, y1 - y0)))
    pos = 0.0
    while pos < length:
        end = min(pos + dash, length)
        pygame.draw.line(surface, colour, (x0 + (x1 - x0) * pos / length, y0 + (y1 - y0) * pos / length),
                         (x0 + (x1 - x0) * end / length, y0 + (y1 - y0) * end / length), 2)
        pos = end + gap


class MarketChart:
    """Draws a good's series into a cached surface and answers what is under the mouse."""

    def __init__(self):
        self.surface: pygame.Surface | None = None
        self.key = None
        self.rect = pygame.Rect(0, 0, 0, 0)
        self.points: dict[str, list[tuple[int, int]]] = {}      # line label -> screen points, per turn
        self.columns: list[tuple[int, int]] = []                  # (x, turn) of each kept turn, on screen
        self.series: dict = {}
        self.price_box = self.bar_box = pygame.Rect(0, 0, 0, 0)

    def prepare(self, rect: pygame.Rect, key, series: dict, good, ref: float, fonts) -> None:
        if key == self.key and self.surface is not None and self.rect == rect:
            return
        self.key, self.rect, self.series = key, pygame.Rect(rect), series
        self.surface = pygame.Surface(rect.size)
        self.surface.fill((30, 35, 46))
        self._draw(series, good, ref, fonts)

    def _draw(self, s: dict, good, ref: float, fonts) -> None:
        surf, w, h = self.surface, self.rect.w, self.rect.h
        small = fonts.fonts["small"].get_height()
        left, right = 64, 12
        title = f"{good.name}: price, M$ per {good.unit}"
        surf.blit(fonts.text(title, "small", TEXT), (6, 2))
        legend_y = 4 + small
        x = 6
        keys = [(label, colour, False) for label, colour, _ in s["lines"]] + [("2025 reference", REFERENCE, True)]
        for label, colour, dashed in keys:
            t = fonts.text(label, "small", MUTED)
            if x > 6 and x + 22 + t.get_width() > w - 4:       # the legend wraps rather than runs off
                x, legend_y = 6, legend_y + small + 2
            mid = legend_y + small // 2
            if dashed:
                _dashed(surf, colour, (x, mid), (x + 18, mid))
            else:
                pygame.draw.line(surf, colour, (x, mid), (x + 18, mid), 3)
            surf.blit(t, (x + 22, legend_y))
            x += 34 + t.get_width()
        top_y = legend_y + small + 8
        bars_h = max(60, h // 4)
        price = pygame.Rect(left, top_y, w - left - right, h - top_y - bars_h - 3 * small - 22)
        bars = pygame.Rect(left, price.bottom + small + 14, price.w, bars_h)
        self.price_box, self.bar_box = price.move(self.rect.topleft), bars.move(self.rect.topleft)
        turns = s["turns"]
        n = len(turns)
        first, last = (turns[0], turns[-1]) if turns else (0, 0)
        span = max(1, last - first)

        pad = 12                                   # the first and last bars stay inside the frame

        def xat(t: int) -> int:
            return price.x + (price.w // 2 if n == 1 else pad + round((t - first) / span * (price.w - 2 * pad)))

        # price panel
        values = [v for _, _, vals in s["lines"] for v in vals] + [ref]
        ticks = _ticks(max(values) * 1.1)
        top = ticks[-1] if ticks[-1] > 0 else 1.0

        def yat(v: float, box=price, scale=top) -> int:
            return box.bottom - round(v / scale * box.h)

        for v in ticks:
            y = yat(v)
            pygame.draw.line(surf, (50, 56, 70), (price.x, y), (price.right, y))
            label = fonts.text(_number(v), "small", MUTED)
            surf.blit(label, (price.x - 6 - label.get_width(), y - label.get_height() // 2))
        pygame.draw.rect(surf, (80, 86, 100), price, 1)
        _dashed(surf, REFERENCE, (price.x, yat(ref)), (price.right, yat(ref)))
        self.points = {}
        for label, colour, vals in s["lines"]:
            pts = [(xat(t), yat(v)) for t, v in zip(turns, vals)]
            if len(pts) > 1:
                pygame.draw.lines(surf, colour, False, pts, 1 if colour == OWN else 3)
            for p in pts:
                pygame.draw.circle(surf, colour, p, 2 if colour == OWN else 3)
            self.points[label] = [(x + self.rect.x, y + self.rect.y) for x, y in pts]
        if n == 1:
            note = fonts.text("One point a turn: the lines grow as turns are played.", "small", MUTED)
            surf.blit(note, (price.centerx - note.get_width() // 2, price.y + 8))
        # supply and shortage bars
        surf.blit(fonts.text(f"World supply (green) and shortage (yellow), {good.unit} a turn", "small", TEXT),
                  (6, price.bottom + 4))
        totals = [a + b for a, b in zip(s["supply"], s["shortage"])] or [0.0]
        bticks = _ticks(max(totals) * 1.05)
        btop = bticks[-1] if bticks[-1] > 0 else 1.0
        for v in (bticks[0], bticks[-1]):
            label = fonts.text(_number(v), "small", MUTED)
            surf.blit(label, (bars.x - 6 - label.get_width(), yat(v, bars, btop) - label.get_height() // 2))
        pygame.draw.rect(surf, (80, 86, 100), bars, 1)
        bar_w = max(2, min(2 * pad - 4, (price.w - 2 * pad) // max(1, span + 1) - 2))
        for t, sup, short in zip(turns, s["supply"], s["shortage"]):
            x = xat(t) - bar_w // 2
            y_sup = yat(sup, bars, btop)
            pygame.draw.rect(surf, SUPPLY, (x, y_sup, bar_w, bars.bottom - y_sup))
            if short > 0:
                y_short = yat(sup + short, bars, btop)
                pygame.draw.rect(surf, SHORTAGE, (x, y_short, bar_w, max(1, y_sup - y_short)))
        # the turn axis, under the bars
        step = max(1, -(-span // 8))
        for t in turns:
            if (t - first) % step == 0 or t == last:
                label = fonts.text(str(t), "small", MUTED)
                surf.blit(label, (xat(t) - label.get_width() // 2, bars.bottom + 2))
        axis = fonts.text("turn (each is half a year; hover for the values)", "small", MUTED)
        surf.blit(axis, (bars.centerx - axis.get_width() // 2, bars.bottom + 2 + small))
        self.columns = [(xat(t) + self.rect.x, t) for t in turns]

    def turn_at(self, pos) -> int | None:
        """The kept turn nearest the mouse, when it is over either panel."""
        if not self.columns or not (self.price_box.collidepoint(pos) or self.bar_box.collidepoint(pos)):
            return None
        return min(self.columns, key=lambda c: abs(c[0] - pos[0]))[1]

    def tip(self, pos, good, ref: float, start_year: float) -> str:
        t = self.turn_at(pos)
        if t is None:
            return ""
        i = self.series["turns"].index(t)
        when = "the starting market" if t == 0 else \
            f"the half-year from {int(start_year + (t - 1) / 2)} {'H1' if (t - 1) % 2 == 0 else 'H2'}"
        prices = "; ".join(f"{label} {_number(vals[i])}" for label, _, vals in self.series["lines"])
        return (f"Turn {t} ({when}). {good.name} price, M$ per {good.unit}: {prices}"
                f" (reference {_number(ref)}). World supply {_number(self.series['supply'][i])} {good.unit}, "
                f"demand not met {_number(self.series['shortage'][i])} {good.unit}.")

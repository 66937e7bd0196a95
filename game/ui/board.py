"""The world board: countries where the map puts them, trade of one good as arcs.

An equirectangular projection of each country's `position` (longitude, latitude) from
`maps/`, over rough continent outlines drawn by the game itself (no map data is fetched).
Countries are discs sized by GDP and coloured by alignment; small markers beside a disc say
it mines (triangle), refines (square) or makes components (diamond) of the selected good's
chain; arcs carry last turn's shipments of the selected good, wider for more volume; an
export control on that good is drawn as a dashed vermillion line (a ring when it is aimed at
everyone). Wheel zooms about the mouse, a drag pans, R resets, [ and ] change the good.
"""

from __future__ import annotations

import math

import pygame

from game.ui.widgets import MUTED, OKABE_ITO, TEXT, draw_lines

OCEAN = (20, 34, 52)
LAND = (44, 56, 66)
GRID = (30, 46, 66)

# Rough outlines (longitude, latitude), drawn by hand for orientation only.
CONTINENTS = {
    "north_america": [(-168, 66), (-140, 70), (-95, 72), (-80, 64), (-62, 56), (-66, 45), (-80, 32),
                      (-81, 25), (-97, 26), (-97, 18), (-88, 15), (-78, 8), (-92, 15), (-105, 20),
                      (-117, 32), (-124, 42), (-125, 49), (-135, 58), (-152, 60), (-165, 60)],
    "greenland": [(-55, 60), (-42, 60), (-20, 70), (-20, 80), (-60, 82), (-70, 76)],
    "south_america": [(-78, 8), (-60, 10), (-50, 0), (-35, -6), (-40, -22), (-48, -28), (-58, -38),
                      (-66, -55), (-74, -50), (-73, -38), (-71, -18), (-81, -6)],
    "europe": [(-10, 36), (-9, 43), (-2, 44), (-4, 48), (2, 51), (8, 54), (5, 59), (10, 63), (20, 70),
               (30, 71), (42, 67), (45, 55), (40, 46), (30, 45), (28, 41), (22, 37), (15, 40), (12, 44),
               (8, 44), (3, 42), (-2, 37)],
    "britain": [(-6, 50), (2, 51), (0, 55), (-3, 59), (-6, 57)],
    "africa": [(-17, 15), (-16, 24), (-9, 32), (-5, 36), (10, 37), (20, 32), (32, 31), (35, 27), (43, 12),
               (51, 12), (41, -2), (40, -15), (35, -24), (32, -29), (20, -35), (14, -24), (12, -6),
               (9, 4), (-4, 5), (-13, 8)],
    "asia": [(42, 67), (60, 70), (80, 73), (100, 78), (120, 73), (140, 72), (180, 68), (170, 60),
             (158, 52), (140, 55), (135, 45), (128, 38), (122, 40), (121, 31), (117, 24), (109, 20),
             (106, 10), (100, 2), (98, 14), (92, 22), (88, 22), (80, 10), (73, 18), (67, 25), (57, 25),
             (50, 30), (44, 38), (45, 55)],
    "arabia": [(35, 30), (33, 28), (43, 13), (52, 15), (59, 22), (56, 26), (50, 30)],
    "japan": [(130, 31), (135, 34), (140, 35), (142, 40), (141, 45), (138, 38), (132, 34)],
    "indonesia": [(95, 5), (106, -6), (115, -8), (120, -9), (125, -8), (119, -3), (118, 5), (105, 0)],
    "australia": [(114, -22), (122, -17), (130, -12), (137, -12), (142, -11), (146, -19), (153, -27),
                  (150, -37), (145, -38), (138, -35), (131, -31), (115, -34)],
}

HOME = (1.25, (12.0, 12.0))        # zoom and (longitude, latitude) of the middle at the start
STAGE_MARK = {"ore": "triangle", "refined": "square", "component": "diamond"}


def alignment_colour(alignment: float):
    """Western-aligned blue, China-aligned vermillion, the middle orange."""
    if alignment >= 0.5:
        return OKABE_ITO["blue"]
    if alignment <= -0.5:
        return OKABE_ITO["vermillion"]
    return OKABE_ITO["orange"]


class Board:
    def __init__(self, control, rect: pygame.Rect):
        self.control = control
        self.rect = pygame.Rect(rect)
        self.zoom, self.centre = HOME
        self.good = "gallium"
        self.dragging, self.drag_from = False, None
        self.flows: list[tuple[str, str, float]] = []
        self._flows_key = None
        self._static = None                              # cached land and grid surface
        self._static_key = None

    # -- projection ----------------------------------------------------------------------
    def scale(self) -> float:
        return self.zoom * min(self.rect.w / 360, self.rect.h / 150)

    def to_screen(self, lon: float, lat: float) -> tuple[int, int]:
        k = self.scale()
        return (int(self.rect.centerx + (lon - self.centre[0]) * k),
                int(self.rect.centery - (lat - self.centre[1]) * k))

    def to_world(self, pos) -> tuple[float, float]:
        k = self.scale()
        return (self.centre[0] + (pos[0] - self.rect.centerx) / k, self.centre[1] - (pos[1] - self.rect.centery) / k)

    def points(self) -> dict[str, tuple[int, int]]:
        return {cid: self.to_screen(*c.position) for cid, c in self.control.game.scenario.countries.items()}

    def radius(self, cid: str) -> int:
        gdp = self.control.game.scenario.countries[cid].gdp
        return int(max(5, min(22, 3 + 2.2 * math.log10(max(gdp, 10.0)) ** 1.4)) * min(1.6, self.zoom ** 0.35))

    # -- input ---------------------------------------------------------------------------
    def handle_event(self, event) -> str | None:
        """Pan, zoom and picks; returns the id of a country clicked, if one was."""
        if event.type == pygame.MOUSEWHEEL and self.rect.collidepoint(pygame.mouse.get_pos()):
            self.zoom_at(pygame.mouse.get_pos(), 1.25 if event.y > 0 else 0.8)
        elif event.type == pygame.MOUSEBUTTONDOWN and self.rect.collidepoint(event.pos):
            if event.button in (4, 5):
                return None
            self.dragging, self.drag_from, self.moved = True, event.pos, False
        elif event.type == pygame.MOUSEMOTION and self.dragging:
            dx, dy = event.pos[0] - self.drag_from[0], event.pos[1] - self.drag_from[1]
            if abs(dx) + abs(dy) > 3:
                k = self.scale()
                self.centre = (self.centre[0] - dx / k, self.centre[1] + dy / k)
                self.drag_from, self.moved = event.pos, True
        elif event.type == pygame.MOUSEBUTTONUP and self.dragging:
            self.dragging = False
            if not self.moved and event.button == 1:
                return self.country_at(event.pos)
        elif event.type == pygame.KEYDOWN:
            if event.key == pygame.K_r:
                self.zoom, self.centre = HOME
            elif event.key in (pygame.K_LEFTBRACKET, pygame.K_RIGHTBRACKET):
                self.next_good(1 if event.key == pygame.K_RIGHTBRACKET else -1)
        return None

    def zoom_at(self, pos, factor: float) -> None:
        before = self.to_world(pos)
        self.zoom = max(0.8, min(8.0, self.zoom * factor))
        after = self.to_world(pos)
        self.centre = (self.centre[0] + before[0] - after[0], self.centre[1] + before[1] - after[1])

    def next_good(self, direction: int) -> None:
        goods = list(self.control.game.scenario.goods)
        self.good = goods[(goods.index(self.good) + direction) % len(goods)] if self.good in goods else goods[0]

    def country_at(self, pos) -> str | None:
        best, best_d = None, 1e9
        for cid, (x, y) in self.points().items():
            d = math.hypot(x - pos[0], y - pos[1])
            if d < max(self.radius(cid) + 6, 14) and d < best_d:
                best, best_d = cid, d
        return best

    # -- drawing -------------------------------------------------------------------------
    def draw(self, screen, public, selected: str, fonts) -> None:
        self.public_turn = int(public["turn"])
        key = (self.rect.size, round(self.zoom, 4), tuple(round(c, 3) for c in self.centre))
        if key != self._static_key:
            self._static, self._static_key = self._render_static(), key
        screen.blit(self._static, self.rect.topleft)
        clip = screen.get_clip()
        screen.set_clip(self.rect)
        pts = self.points()
        self._draw_controls(screen, public, pts)
        self._draw_flows(screen, pts)
        self._draw_countries(screen, public, pts, selected, fonts)
        screen.set_clip(clip)
        self._draw_legend(screen, fonts)

    def _render_static(self) -> pygame.Surface:
        surf = pygame.Surface(self.rect.size)
        surf.fill(OCEAN)
        off = (-self.rect.x, -self.rect.y)
        for lon in range(-180, 181, 30):
            a, b = self.to_screen(lon, 85), self.to_screen(lon, -60)
            pygame.draw.line(surf, GRID, (a[0] + off[0], a[1] + off[1]), (b[0] + off[0], b[1] + off[1]))
        for lat in range(-60, 90, 30):
            a, b = self.to_screen(-180, lat), self.to_screen(180, lat)
            pygame.draw.line(surf, GRID, (a[0] + off[0], a[1] + off[1]), (b[0] + off[0], b[1] + off[1]))
        for outline in CONTINENTS.values():
            poly = [(x + off[0], y + off[1]) for x, y in (self.to_screen(*p) for p in outline)]
            pygame.draw.polygon(surf, LAND, poly)
        return surf

    def flows_for(self, turn: int) -> list[tuple[str, str, float]]:
        """Shipments of the shown good in the turn the seat's observation is of. While a turn
        resolves the world belongs to the worker thread: nothing new is read from it then."""
        if self._flows_key != (turn, self.good):
            if self.control.scenes["main"].resolver:
                return []
            self.flows = self.control.game.trade_flows(self.good)[:30] if turn > 0 else []
            self._flows_key = (turn, self.good)
        return self.flows

    def _draw_flows(self, screen, pts) -> None:
        flows = self.flows_for(self.public_turn)
        if not flows:
            return
        top = flows[0][2]
        for src, dst, volume in flows:
            width = max(1, int(9 * volume / top))
            _arc(screen, OKABE_ITO["sky"], pts[src], pts[dst], width)

    def _draw_controls(self, screen, public, pts) -> None:
        for c in public["controls"]:
            if c["good"] != self.good or c["issuer"] not in pts:
                continue
            colour = OKABE_ITO["vermillion"] if c.get("binding", True) else MUTED
            if c["target"] == "ALL" or c["target"] not in pts:
                x, y = pts[c["issuer"]]
                _dashed_circle(screen, colour, (x, y), self.radius(c["issuer"]) + 9)
            else:
                _dashed_line(screen, colour, pts[c["issuer"]], pts[c["target"]])

    def _draw_countries(self, screen, public, pts, selected, fonts) -> None:
        countries = list(public["countries"])
        goods = list(public["goods"])
        chain = self._chain_of(public)
        production = public.get("capacity", public["production"])
        for i, cid in enumerate(countries):
            x, y = pts[cid]
            r = self.radius(cid)
            pygame.draw.circle(screen, alignment_colour(float(public["alignment"][i])), (x, y), r)
            pygame.draw.circle(screen, (10, 10, 10), (x, y), r, 1)
            if cid == selected:
                pygame.draw.circle(screen, OKABE_ITO["yellow"], (x, y), r + 4, 3)
            mx = x + r + 3
            for j in chain:
                if float(production[i][goods.index(j)]) > 1e-9:
                    _marker(screen, STAGE_MARK.get(public["stage"][goods.index(j)], "square"), (mx + 4, y + r - 2))
                    mx += 10
        for cid, rect, leader in self.label_layout(selected, fonts):
            if leader:
                pygame.draw.line(screen, MUTED, leader[0], leader[1], 1)
            screen.blit(fonts.text(cid, "small"), rect.topleft)

    def label_layout(self, selected: str, fonts) -> list[tuple[str, pygame.Rect, tuple | None]]:
        """Where each country's label goes, without two labels overlapping: the biggest
        economies (and the selected country) choose first among eight places beside their
        disc, then farther out with a leader line; a label with no free place is left out
        until zooming in makes room (hovering the disc still names it). Cached per view."""
        key = (self.rect.topleft, self.rect.size, round(self.zoom, 4), tuple(round(c, 3) for c in self.centre),
               selected, fonts.sizes["small"])
        if key == getattr(self, "_labels_key", None):
            return self._labels
        countries = self.control.game.scenario.countries
        pts = self.points()
        discs = {cid: pygame.Rect(x - self.radius(cid), y - self.radius(cid), 2 * self.radius(cid),
                                  2 * self.radius(cid)) for cid, (x, y) in pts.items()}
        order = sorted(pts, key=lambda c: (c != selected, countries[c].kind != "great_power", -countries[c].gdp))
        placed: list[tuple[str, pygame.Rect, tuple | None]] = []
        taken: list[pygame.Rect] = []
        for cid in order:
            x, y = pts[cid]
            if not self.rect.collidepoint(x, y):
                continue
            w, h = fonts.text(cid, "small").get_size()
            spot = self._free_spot(cid, (x, y), (w, h), taken, discs)
            if spot is None and (cid == selected or countries[cid].kind == "great_power"):
                r = self.radius(cid)
                spot = (pygame.Rect(x + r + 2, y - r - h // 2, w, h), None)      # always named
            if spot is None:
                continue
            placed.append((cid, *spot))
            taken.append(spot[0].inflate(4, 2))
        self._labels_key, self._labels = key, placed
        return placed

    def _free_spot(self, cid, centre, size, taken, discs):
        """The first place for a label that overlaps no label nor another disc (then: no label)."""
        x, y = centre
        w, h = size
        r = self.radius(cid)
        others = [d for c, d in discs.items() if c != cid]
        for strict in (True, False):
            for reach, leader in ((1.0, False), (2.2, True), (3.6, True)):
                d = r * reach + 3
                for dx, dy in ((1, -1), (1, 0), (1, 1), (-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1)):
                    lx = x + dx * d + (0 if dx > 0 else -w if dx < 0 else -w // 2)
                    ly = y + dy * d + (-h if dy < 0 else 0 if dy > 0 else -h // 2)
                    rect = pygame.Rect(int(lx), int(ly), w, h)
                    if not self.rect.contains(rect) or rect.collidelist(taken) >= 0:
                        continue
                    if strict and rect.collidelist(others) >= 0:
                        continue
                    line = None
                    if leader:
                        end = (rect.centerx if dx == 0 else rect.left if dx > 0 else rect.right,
                               rect.centery if dy == 0 else rect.bottom if dy < 0 else rect.top)
                        line = ((x + dx * r * 0.7, y + dy * r * 0.7), end)
                    return rect, line
        return None

    def _chain_of(self, public) -> list[str]:
        """The selected good and the goods it is made from (its chain), upstream first."""
        goods = list(public["goods"])
        recipe = public["recipe"]
        j = goods.index(self.good) if self.good in goods else 0
        chain, frontier = [goods[j]], [j]
        while frontier:
            k = frontier.pop()
            for i, amount in enumerate(recipe[k]):
                if float(amount) > 0 and goods[i] not in chain:
                    chain.insert(0, goods[i])
                    frontier.append(i)
        return chain

    def _draw_legend(self, screen, fonts) -> None:
        lines = [f"Showing {self.good.replace('_', ' ')}: arcs = last turn's trade, wider = more",
                 "Disc colour: blue western bloc, vermillion China's, orange the middle",
                 "Marks: triangle mine, square refinery, diamond plant (this chain)",
                 "Dashed vermillion: export control on this good (ring: to all)",
                 "Wheel zooms, drag pans, R resets, [ and ] change the good"]
        surfs = [fonts.text(line, "small") for line in lines]
        w = max(s.get_width() for s in surfs) + 12
        h = sum(s.get_height() + 4 for s in surfs) + 8
        x, y = self.rect.x + 8, self.rect.bottom - h - 8
        pygame.draw.rect(screen, (16, 22, 32), (x - 4, y - 4, w, h), border_radius=6)
        draw_lines(screen, fonts, lines, x + 2, y, w, "small", TEXT)


def _arc(screen, colour, a, b, width: int) -> None:
    """A curved arrow from a to b (bowed to the left of the way), arrowhead at b."""
    (x0, y0), (x1, y1) = a, b
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    dx, dy = x1 - x0, y1 - y0
    cx, cy = mx - dy * 0.2, my + dx * 0.2
    pts = []
    for s in range(17):
        t = s / 16
        pts.append(((1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t * t * x1,
                    (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t * t * y1))
    pygame.draw.lines(screen, colour, False, pts, width)
    ex, ey = pts[-1]
    px, py = pts[-3]
    ang = math.atan2(ey - py, ex - px)
    size = 6 + width
    head = [(ex, ey), (ex - size * math.cos(ang - 0.45), ey - size * math.sin(ang - 0.45)),
            (ex - size * math.cos(ang + 0.45), ey - size * math.sin(ang + 0.45))]
    pygame.draw.polygon(screen, colour, head)


def _dashed_line(screen, colour, a, b, dash: int = 9) -> None:
    length = math.hypot(b[0] - a[0], b[1] - a[1])
    if length < 1:
        return
    n = int(length // dash)
    for i in range(0, n, 2):
        t0, t1 = i / n, min(1.0, (i + 1) / n)
        pygame.draw.line(screen, colour, (a[0] + (b[0] - a[0]) * t0, a[1] + (b[1] - a[1]) * t0),
                         (a[0] + (b[0] - a[0]) * t1, a[1] + (b[1] - a[1]) * t1), 3)


def _dashed_circle(screen, colour, centre, radius: int) -> None:
    for k in range(0, 24, 2):
        a0, a1 = k / 24 * 2 * math.pi, (k + 1) / 24 * 2 * math.pi
        pygame.draw.line(screen, colour, (centre[0] + radius * math.cos(a0), centre[1] + radius * math.sin(a0)),
                         (centre[0] + radius * math.cos(a1), centre[1] + radius * math.sin(a1)), 3)


def _marker(screen, shape: str, pos) -> None:
    x, y = pos
    colour = OKABE_ITO["yellow"]
    if shape == "triangle":
        pygame.draw.polygon(screen, colour, [(x, y - 4), (x - 4, y + 3), (x + 4, y + 3)])
    elif shape == "diamond":
        pygame.draw.polygon(screen, colour, [(x, y - 4), (x - 4, y), (x, y + 4), (x + 4, y)])
    else:
        pygame.draw.rect(screen, colour, (x - 3, y - 3, 7, 7))

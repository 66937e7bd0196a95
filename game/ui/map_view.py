"""The world board: countries at their map positions coloured by alignment, where the
shown good is made, its trade as arcs as wide as the volume shipped, and export controls on
it drawn over the routes they close. Wheel or +/- zooms, dragging pans, a click selects.

Everything but the hover card is drawn into one cached surface, rebuilt only when the view,
the turn, the shown good or the selection changes.
"""

from __future__ import annotations

import math

import pygame

from game.ui.widgets import MUTED, OKABE_ITO, TEXT, draw_lines

SEA = (20, 30, 44)
GRID = (40, 52, 70)
TOP_FLOWS = 30


def alignment_colour(alignment: float):
    """Western-aligned blue, China-aligned vermillion, the middle orange."""
    if alignment >= 0.3:
        return OKABE_ITO["blue"]
    if alignment <= -0.3:
        return OKABE_ITO["vermillion"]
    return OKABE_ITO["orange"]


class MapView:
    def __init__(self, scene):
        self.scene, self.control = scene, scene.control
        self.zoom, self.centre = 1.0, (15.0, 12.0)      # (longitude, latitude) at the middle
        self.drag_from = None
        self.dragged = False
        self.cache_key, self.surface = None, None
        self.hover = None

    # -- geometry --------------------------------------------------------------------------
    def set_rect(self, rect) -> None:
        self.rect = pygame.Rect(rect)
        self.cache_key = None

    def scale(self) -> tuple[float, float]:
        """Pixels per degree of longitude and of latitude. At zoom 1 the band where the
        countries lie (about 125W-160E, 50S-70N) fills the board; latitude is stretched up
        to 1.6 times on a tall board, a board game's licence that keeps Europe legible."""
        sx = self.rect.w / 300
        return sx * self.zoom, min(self.rect.h / 130, 1.6 * sx) * self.zoom

    def project(self, lon: float, lat: float) -> tuple[int, int]:
        sx, sy = self.scale()
        return (int(self.rect.centerx + (lon - self.centre[0]) * sx),
                int(self.rect.centery - (lat - self.centre[1]) * sy))

    def points(self) -> dict[str, tuple[int, int]]:
        return {cid: self.project(*c.position) for cid, c in self.control.game.scenario.countries.items()}

    def nearest(self, pos, within: int = 28) -> str | None:
        best = min(self.points().items(), key=lambda kv: (kv[1][0] - pos[0]) ** 2 + (kv[1][1] - pos[1]) ** 2)
        dx, dy = best[1][0] - pos[0], best[1][1] - pos[1]
        return best[0] if dx * dx + dy * dy <= within * within else None

    def zoom_by(self, factor: float, around=None) -> None:
        around = around or self.rect.center
        sx, sy = self.scale()
        lon = self.centre[0] + (around[0] - self.rect.centerx) / sx
        lat = self.centre[1] - (around[1] - self.rect.centery) / sy
        self.zoom = min(8.0, max(1.0, self.zoom * factor))
        sx, sy = self.scale()                            # keep the point under the mouse still
        self.centre = (lon - (around[0] - self.rect.centerx) / sx, lat + (around[1] - self.rect.centery) / sy)

    def pan(self, dx: float, dy: float) -> None:
        sx, sy = self.scale()
        self.centre = (self.centre[0] - dx / sx, self.centre[1] + dy / sy)

    def reset(self) -> None:
        self.zoom, self.centre = 1.0, (15.0, 12.0)

    # -- input -----------------------------------------------------------------------------
    def handle(self, event) -> str | None:
        """Zoom, pan or hover; returns a country id when a click (not a drag) selects one."""
        if event.type == pygame.MOUSEWHEEL and self.rect.collidepoint(pygame.mouse.get_pos()):
            self.zoom_by(1.25 if event.y > 0 else 0.8, pygame.mouse.get_pos())
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button in (1, 3) and self.rect.collidepoint(event.pos):
            self.drag_from, self.dragged = event.pos, False
        elif event.type == pygame.MOUSEMOTION:
            self.hover = self.nearest(event.pos) if self.rect.collidepoint(event.pos) else None
            if self.drag_from and event.buttons[0] | event.buttons[2]:
                dx, dy = event.pos[0] - self.drag_from[0], event.pos[1] - self.drag_from[1]
                if self.dragged or abs(dx) + abs(dy) > 6:
                    self.pan(dx, dy)
                    self.drag_from, self.dragged = event.pos, True
        elif event.type == pygame.MOUSEBUTTONUP and event.button in (1, 3) and self.drag_from:
            clicked = not self.dragged and event.button == 1
            self.drag_from = None
            if clicked:
                return self.nearest(event.pos)
        elif event.type == pygame.KEYDOWN:
            steps = {pygame.K_LEFT: (80, 0), pygame.K_RIGHT: (-80, 0), pygame.K_UP: (0, 80), pygame.K_DOWN: (0, -80)}
            if event.key in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS):
                self.zoom_by(1.25)
            elif event.key in (pygame.K_MINUS, pygame.K_KP_MINUS):
                self.zoom_by(0.8)
            elif event.key == pygame.K_0:
                self.reset()
            elif event.key in steps:
                self.pan(*steps[event.key])
        return None

    # -- drawing ---------------------------------------------------------------------------
    def draw(self, screen, good: str, selected: str) -> None:
        # the scene's observation, not the game: a turn may be resolving on another thread
        key = (self.rect.size, self.zoom, self.centre, id(self.scene.public), good, selected,
               self.control.fonts.sizes["body"])
        if key != self.cache_key:
            self.surface = self.render(good, selected)
            self.cache_key = key
        screen.blit(self.surface, self.rect.topleft)
        if self.hover:
            self.draw_hover(screen, good)

    def render(self, good: str, selected: str) -> pygame.Surface:
        surf = pygame.Surface(self.rect.size)
        surf.fill(SEA)
        offset = (-self.rect.x, -self.rect.y)
        self.draw_grid(surf, offset)
        points = {c: (x + offset[0], y + offset[1]) for c, (x, y) in self.points().items()}
        self.draw_flows(surf, points, good)
        self.draw_controls(surf, points, good)
        self.draw_countries(surf, points, good, selected)
        self.draw_legend(surf, good)
        return surf

    def draw_grid(self, surf, offset) -> None:
        for lon in range(-180, 181, 30):
            x = self.project(lon, 0)[0] + offset[0]
            pygame.draw.line(surf, GRID, (x, 0), (x, self.rect.h))
        for lat in range(-60, 91, 30):
            y = self.project(0, lat)[1] + offset[1]
            pygame.draw.line(surf, GRID if lat else (60, 76, 100), (0, y), (self.rect.w, y))

    def draw_flows(self, surf, points, good) -> None:
        flows = self.scene.flows[good][:TOP_FLOWS]
        if not flows:
            return
        biggest = flows[0][2]
        for exporter, importer, q in reversed(flows):          # small ones under big ones
            width = max(1, int(round(10 * math.sqrt(q / biggest))))
            arc = bent_line(points[exporter], points[importer])
            pygame.draw.lines(surf, OKABE_ITO["sky"], False, arc, width)
            end, before = arc[-1], arc[-3]
            arrow_head(surf, before, end, OKABE_ITO["sky"], 6 + width)

    def draw_controls(self, surf, points, good) -> None:
        """Active export controls on the good: a crossed dashed line to each target, a ring
        round the issuer when aimed at every country."""
        public = self.scene.public
        for c in public["controls"]:
            if c["good"] != good or c["suspended_until"] >= public["turn"]:
                continue
            colour = OKABE_ITO["vermillion"] if c["mode"] == "ban" else OKABE_ITO["yellow"]
            start = points[c["issuer"]]
            if c["target"] == "ALL" or c["target"] not in points:
                pygame.draw.circle(surf, colour, start, 22, 3)
                continue
            end = points[c["target"]]
            dashed(surf, colour, start, end)
            mid = ((start[0] + end[0]) // 2, (start[1] + end[1]) // 2)
            pygame.draw.line(surf, colour, (mid[0] - 7, mid[1] - 7), (mid[0] + 7, mid[1] + 7), 3)
            pygame.draw.line(surf, colour, (mid[0] - 7, mid[1] + 7), (mid[0] + 7, mid[1] - 7), 3)

    def draw_countries(self, surf, points, good, selected) -> None:
        f, public = self.control.fonts, self.scene.public
        countries = self.control.game.scenario.countries
        j = public["goods"].index(good)
        for i, cid in enumerate(public["countries"]):
            x, y = points[cid]
            share = float(public["world_share"][i][j])
            if share > 0.005:                          # where the good is made: a square by share
                side = 6 + int(40 * math.sqrt(share))
                pygame.draw.rect(surf, OKABE_ITO["green"], (x - side // 2, y - side // 2, side, side), 2)
            radius = 11 if countries[cid].kind == "great_power" else 6
            pygame.draw.circle(surf, alignment_colour(float(public["alignment"][i])), (x, y), radius)
            if cid == selected:
                pygame.draw.circle(surf, OKABE_ITO["yellow"], (x, y), radius + 5, 3)
            if self.zoom >= 1.5 or countries[cid].kind == "great_power" or share > 0.05 or cid == selected:
                surf.blit(f.text(cid, "small"), (x + radius + 3, y - 9))

    def draw_legend(self, surf, good) -> None:
        f = self.control.fonts
        name = self.control.game.scenario.goods[good].name
        traded = "blue arcs: last turn's trade" if self.scene.flows[good] else "no trade yet: arcs appear after a turn"
        lines = [f"Showing: {name} ({good}). Change with the picker above or G.",
                 "dots: blue western bloc, vermillion China's bloc, orange the middle",
                 f"green squares: share of world output; {traded}",
                 "crossed vermillion line: export ban; yellow: licence or quota; ring: aimed at all",
                 "wheel / + - zoom, drag pans, 0 resets, click a country to see it"]
        y = self.rect.h - len(lines) * (f.sizes["small"] + 9) - 8
        draw_lines(surf, f, lines, 10, y, self.rect.w - 20, "small", MUTED)

    def draw_hover(self, screen, good) -> None:
        f, public = self.control.fonts, self.scene.public
        cid = self.hover
        i, j = public["countries"].index(cid), public["goods"].index(good)
        unit = self.control.game.scenario.goods[good].unit
        per_year = 1 / float(public["turn_frac"])
        lines = [f"{self.control.game.scenario.countries[cid].name} ({cid})",
                 f"{good}: makes {float(public['production'][i][j]) * per_year:,.1f} {unit}/yr "
                 f"({float(public['world_share'][i][j]):.0%} of world)",
                 f"exports {float(public['exports'][i][j]) * per_year:,.1f}, "
                 f"imports {float(public['imports'][i][j]) * per_year:,.1f} {unit}/yr",
                 f"alignment {float(public['alignment'][i]):+.2f}, stability {float(public['stability'][i]):.2f}"]
        x, y = self.points()[cid]
        w = max(f.text(t, "small").get_width() for t in lines) + 20
        box = pygame.Rect(min(x + 16, self.rect.right - w - 4), y + 16, w, len(lines) * 24 + 12)
        box.bottom = min(box.bottom, self.rect.bottom - 4)
        pygame.draw.rect(screen, (10, 12, 18), box, border_radius=6)
        pygame.draw.rect(screen, MUTED, box, 1, border_radius=6)
        draw_lines(screen, f, lines, box.x + 10, box.y + 6, w, "small", TEXT)


def bent_line(a, b, n: int = 16) -> list[tuple[float, float]]:
    """Points of a gentle arc from a to b, bowed to the left of the direction of travel, so
    the two directions of a route do not overlap."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2 - dy * 0.18, (y0 + y1) / 2 + dx * 0.18
    return [((1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t * t * x1,
             (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t * t * y1) for t in (k / n for k in range(n + 1))]


def arrow_head(surf, frm, to, colour, size) -> None:
    angle = math.atan2(to[1] - frm[1], to[0] - frm[0])
    left = (to[0] - size * math.cos(angle - 0.45), to[1] - size * math.sin(angle - 0.45))
    right = (to[0] - size * math.cos(angle + 0.45), to[1] - size * math.sin(angle + 0.45))
    pygame.draw.polygon(surf, colour, [to, left, right])


def dashed(surf, colour, a, b, dash: int = 10) -> None:
    length = math.hypot(b[0] - a[0], b[1] - a[1])
    for k in range(0, int(length), dash * 2):
        t0, t1 = k / length, min(1.0, (k + dash) / length)
        pygame.draw.line(surf, colour, (a[0] + (b[0] - a[0]) * t0, a[1] + (b[1] - a[1]) * t0),
                         (a[0] + (b[0] - a[0]) * t1, a[1] + (b[1] - a[1]) * t1), 3)

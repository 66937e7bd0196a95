"""The guided tour: offered by the first turn's guide, it points at each real widget in
order (top bar, board, tabs), opens the tab it explains, moves with Next and Back, closes
with Skip or Esc, and opens again from Help."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import pytest

pygame = pytest.importorskip("pygame")

from game.ui.tour import HIGHLIGHT  # noqa: E402
from tests.ui_events import key, window  # noqa: E402


@pytest.fixture
def control(tmp_path):
    with window(tmp_path / "g.save", people=["US"]) as c:
        c.frame()
        yield c


def click(control, pos):
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=tuple(pos)))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=tuple(pos)))
    control.frame()


def button(tour, label):
    return next(b for b in tour.buttons if b.label == label)


def test_the_first_turn_offers_the_tour_and_it_walks_the_panels_in_order(control):
    main = control.scene
    assert main.guide_shown() and not main.tour.active
    click(control, main.tour_button.rect.center)                 # the offer in the first turn's guide
    tour = main.tour
    assert tour.active and tour.index == 0
    seen = []
    while tour.active:
        seen.append((tour.title, main.tab, pygame.Rect(tour.target)))
        click(control, button(tour, "Done" if tour.index == len(tour.steps) - 1 else "Next").rect.center)
    titles = [t for t, _, _ in seen]
    assert titles[:5] == ["The date and the turn", "Your money", "Your score", "End turn", "The world board"]
    assert titles[5:10] == ["The Country tab", "The Markets tab", "The Orders tab", "The News tab",
                            "The Scores tab"]
    rects = {t: r for t, _, r in seen}
    tabs = {t: tab for t, tab, _ in seen}
    # the highlights are the real widgets' rectangles
    assert rects["The date and the turn"] == main.bar_tips[1][0].union(main.bar_tips[2][0])
    assert rects["Your money"].contains(main.bar_tips[3][0]) and rects["Your score"] == main.bar_tips[5][0]
    assert rects["End turn"] == main.end_button.rect and rects["The world board"] == main.map_rect
    assert rects["The Markets tab"] == main.chart_rect and rects["The Country tab"] == main.panel
    assert tabs["The Country tab"] == "country" and tabs["The Markets tab"] == "markets"
    assert tabs["The News tab"] == "news" and tabs["The Scores tab"] == "scores"
    assert tabs["The Orders tab"] == "orders"
    # the orders step names the briefing's first move
    move = main.briefing.first_moves[0][0]
    assert move in " ".join(tour.steps[titles.index("The Orders tab")][1].split())
    assert main.tab == "orders" and not tour.active


def test_next_back_and_what_is_drawn(control):
    main = control.scene
    key(control, pygame.K_t)
    tour = main.tour
    assert tour.active and not button(tour, "Back").enabled
    key(control, pygame.K_RIGHT)
    key(control, pygame.K_RIGHT)
    assert tour.title == "Your score"
    click(control, button(tour, "Back").rect.center)
    assert tour.title == "Your money"
    for _ in range(5):
        click(control, button(tour, "Next").rect.center)
    assert tour.title == "The Markets tab" and main.tab == "markets"
    main.draw(control.screen)
    target = tour.target
    # the frame around the widget, and the screen dimmed outside it but not inside
    assert tuple(control.screen.get_at((target.x - 3, target.centery)))[:3] == HIGHLIGHT
    tail, tip = tour.arrow_points()
    assert tour.box.collidepoint(tail) or tour.box.inflate(2, 2).collidepoint(tail)
    assert target.inflate(8, 8).collidepoint(tip)
    main.tour.active = False
    main.draw(control.screen)
    spot = (main.map_rect.x + 5, main.map_rect.bottom - 5)
    if tour.box.collidepoint(spot):
        spot = (main.map_rect.right - 5, main.map_rect.y + 5)
    bright = tuple(control.screen.get_at(spot))[:3]
    main.tour.active = True
    main.draw(control.screen)
    dim = tuple(control.screen.get_at(spot))[:3]
    assert sum(dim) < sum(bright)
    assert tuple(control.screen.get_at(target.center))[:3] != (0, 0, 0)
    # the rest of the screen still answers: a country can be picked while the board step shows
    key(control, pygame.K_LEFT)
    key(control, pygame.K_LEFT)
    assert tour.title == "The world board"
    where = main.board.points()["CN"]
    assert not tour.box.collidepoint(where)
    click(control, where)
    assert main.selected == "CN" and tour.active and tour.title == "The world board"


def test_skip_and_esc_close_it_and_help_opens_it_again(control):
    main = control.scene
    key(control, pygame.K_t)
    click(control, button(main.tour, "Skip tour").rect.center)
    assert not main.tour.active and control.scene is main
    key(control, pygame.K_t)
    key(control, pygame.K_ESCAPE)
    assert not main.tour.active and control.scene is main          # Esc closed the tour, not opened the menu
    key(control, pygame.K_h)
    assert control.scene.name == "help"
    tour_button = next(b for b in control.scene.buttons if b.label.startswith("Guided tour"))
    click(control, tour_button.rect.center)
    assert control.scene is main and main.tour.active and main.tour.index == 0
    key(control, pygame.K_ESCAPE)
    key(control, pygame.K_h)
    key(control, pygame.K_t)                                        # T on the help screen
    assert control.scene is main and main.tour.active


def test_the_tour_waits_while_a_turn_resolves(control):
    main = control.scene
    main.end_turn()
    assert main.resolver
    key(control, pygame.K_t)
    assert not main.tour.active and "resolving" in main.messages[-1][0]
    while main.resolver or control.game.turn == 0:
        control.frame()

"""The markets tab charts the chosen good over every turn so far: a line per side of a split
market drawn from the observed prices, the reference dashed, supply and shortage as bars, a
tooltip with the values of the turn under the mouse, and a good picker shared with the map."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import numpy as np
import pytest

pygame = pytest.importorskip("pygame")

from game.ui.app import Control  # noqa: E402
from game.ui.market_chart import SIDES, MarketHistory, side_of  # noqa: E402

TURNS = 3


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """US against AI seats after three turns, with the observation of every turn kept aside."""
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config"))
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data"))
    pygame.init()
    c = Control(scenario="baseline_2025", seed=1, humans=[], save_path=tmp_path_factory.mktemp("s") / "g.save")
    c.start_game(["US"])
    seen = {0: c.game.observe("US")["public"]}
    main = c.scenes["main"]
    for t in range(1, TURNS + 1):
        main.end_turn()
        while main.resolver or c.game.turn < t:
            c.frame()
        seen[t] = c.game.observe("US")["public"]
    main.set_tab("markets")
    c.frame()
    yield c, seen
    pygame.quit()


def click(control, pos):
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))
    control.frame()


def hover(control, pos):
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
    control.frame()
    return control.scene.tip


def side_price(public, j: int, side: int) -> float:
    """What the chart should show: the demand-weighted price of a side's countries."""
    groups = np.array([side_of(float(a)) for a in seen_alignment(public)])
    p, d = public["price"][groups == side, j], public["demand"][groups == side, j]
    return float((p * d).sum() / d.sum()) if d.sum() > 0 else float(p.mean())


def seen_alignment(public):
    return CURRENT_ALIGNMENT if CURRENT_ALIGNMENT is not None else public["alignment"]


CURRENT_ALIGNMENT = None


def test_a_split_market_has_a_line_per_side_from_the_observed_prices(played):
    global CURRENT_ALIGNMENT
    control, seen = played
    main = control.scene
    main.board.good = "gallium"          # China bans gallium to the US from the start: a split market
    control.frame()
    chart = main.chart
    series = chart.series
    assert series["split"] and series["turns"] == list(range(TURNS + 1))
    labels = [label for label, _, _ in series["lines"]]
    assert labels == ["western bloc", "in between", "China's bloc", "you (US)"]
    j = list(main.public["goods"]).index("gallium")
    CURRENT_ALIGNMENT = main.public["alignment"]           # sides are drawn by today's alignment
    try:
        for label, _, values in series["lines"][:3]:
            side = [name for name, _ in SIDES].index(label)
            assert values == pytest.approx([side_price(seen[t], j, side) for t in range(TURNS + 1)], rel=1e-9)
    finally:
        CURRENT_ALIGNMENT = None
    west, china, mine = (series["lines"][k][2] for k in (0, 2, 3))
    assert west[-1] > china[-1] * 1.02                     # the banned side pays more
    us = list(main.public["countries"]).index("US")
    assert mine == pytest.approx([float(seen[t]["price"][us, j]) for t in range(TURNS + 1)])
    # on screen: the western line sits above China's at the last turn, and is drawn in its colour
    (wx, wy), (cx, cy) = chart.points["western bloc"][-1], chart.points["China's bloc"][-1]
    assert wx == cx and wy < cy
    assert tuple(control.screen.get_at(chart.points["western bloc"][-1]))[:3] == SIDES[0][1]
    assert series["supply"] == pytest.approx([float(seen[t]["world_production"][j]) for t in range(TURNS + 1)])
    assert series["shortage"] == pytest.approx([float(seen[t]["shortage"][:, j].sum()) for t in range(TURNS + 1)])


def test_hovering_a_turn_tells_its_values(played):
    control, seen = played
    main = control.scene
    main.board.good = "gallium"
    control.frame()
    x, y = main.chart.points["China's bloc"][2]
    tip = hover(control, (x, y))
    assert tip.startswith("Turn 2 ") and "M$ per t" in tip and "reference" in tip and "supply" in tip
    china = main.chart.series["lines"][2][2][2]
    assert f"China's bloc {china:,.3g}" in tip
    assert hover(control, (main.chart_rect.x + 2, main.chart_rect.y + 2)) == ""     # the title: no turn


def test_the_good_picker_is_the_maps_good(played):
    control, _ = played
    main = control.scene
    goods = list(main.public["goods"])
    main.board.good = "gallium"
    control.frame()
    before = main.chart.surface
    click(control, main.good_buttons[1].rect.center)
    assert main.board.good == goods[goods.index("gallium") + 1]
    assert main.chart.surface is not before and main.chart.series["turns"] == list(range(TURNS + 1))
    click(control, main.good_buttons[0].rect.center)
    assert main.board.good == "gallium"
    rect, good = next((r, g) for r, g in main.market_row_goods if g != "gallium")
    click(control, rect.center)
    assert main.board.good == good and main.chart.key[0] == goods.index(good)
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RIGHTBRACKET, mod=0, unicode="]"))
    control.frame()
    assert main.board.good == goods[(goods.index(good) + 1) % len(goods)]      # the list's order


def test_the_chart_is_drawn_once_until_something_changes(played):
    control, _ = played
    main = control.scene
    main.board.good = "gallium"
    control.frame()
    surface = main.chart.surface
    for _ in range(5):
        control.frame()
    assert main.chart.surface is surface


def test_a_loaded_game_charts_the_turns_before_it_from_the_metrics(played):
    control, seen = played
    history = MarketHistory(control.game)
    history.update(seen[TURNS])
    assert sorted(history.records) == list(range(1, TURNS + 1))   # turn 0 is not in the metrics
    live = control.scene.market_history.records
    for t in range(1, TURNS + 1):
        for key in ("price", "demand", "supply", "shortage"):
            assert np.allclose(history.records[t][key], live[t][key]), (t, key)


def test_one_world_line_when_no_side_differs(played):
    control, seen = played
    history = control.scene.market_history
    j = list(seen[0]["goods"]).index("gallium")
    one_side = np.ones(len(seen[0]["countries"]))               # everyone western: nothing to tell apart
    series = history.series(j, one_side)
    assert not series["split"] and [label for label, _, _ in series["lines"]] == ["world"]
    p, d = seen[TURNS]["price"][:, j], seen[TURNS]["demand"][:, j]
    assert series["lines"][0][2][-1] == pytest.approx(float((p * d).sum() / d.sum()))


def test_every_point_and_bar_stays_inside_its_frame(played):
    control, _ = played
    main = control.scene
    for good in ("gallium", "cobalt_refined", "copper_ore"):
        main.board.good = good
        control.frame()
        chart = main.chart
        for label, pts in chart.points.items():
            assert all(chart.price_box.collidepoint(p) for p in pts), (good, label)
        totals = [a + b for a, b in zip(chart.series["supply"], chart.series["shortage"])]
        x = chart.columns[totals.index(max(totals))][0]
        # the top of the tallest bar is inside the frame: the frame's top row above it is the chart's background
        above = control.screen.get_at((x, chart.bar_box.y - 2))[:3]
        assert tuple(above) not in ((0, 158, 115), (240, 228, 66)), good

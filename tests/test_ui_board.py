"""The board's country labels never overlap: the big economies and the selected country
are always named, the rest where there is room, and zooming in names more of them."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import pytest

pygame = pytest.importorskip("pygame")

from game.ui.app import Control  # noqa: E402

EUROPE = ("DE", "FR", "NL", "BE", "PL", "SE", "FI", "EE", "EU", "GB")


@pytest.fixture(params=[(1280, 800), (1920, 1080)])
def control(request, tmp_path):
    pygame.init()
    c = Control(scenario="baseline_2025", seed=1, humans=[], size=request.param, save_path=tmp_path / "g.save")
    c.start_game(["US"])
    yield c
    pygame.quit()


def layout(control):
    control.frame()
    main = control.scene
    return main.board.label_layout(main.selected, control.fonts)


def labels(control):
    return {cid: rect for cid, rect, _ in layout(control)}


def overlapping(rects):
    items = list(rects.items())
    return [(a, b) for i, (a, ra) in enumerate(items) for b, rb in items[i + 1:] if ra.colliderect(rb)]


def test_labels_do_not_overlap_and_the_powers_are_always_named(control):
    shown = labels(control)
    assert overlapping(shown) == []
    assert {"US", "CN"} <= set(shown)
    board = control.scene.board
    assert all(board.rect.contains(r) for r in shown.values())
    assert len(shown) >= 25                                  # most countries named at the start


def test_zooming_into_europe_names_its_countries_next_to_their_discs(control):
    main = control.scene
    board = main.board
    led_before = {cid for cid, _, leader in layout(control) if cid in EUROPE and leader}
    assert led_before                                         # crowded: some labels sit out on a line
    for _ in range(3):                                       # wheel up three times over Germany
        x, y = board.points()["DE"]
        board.zoom_at((x, y), 1.25)
    board.centre = tuple(control.game.scenario.countries["DE"].position)
    after = layout(control)
    assert overlapping({cid: rect for cid, rect, _ in after}) == []
    named = {cid for cid, _, _ in after if cid in EUROPE}
    led_after = {cid for cid, _, leader in after if cid in EUROPE and leader}
    assert named == set(EUROPE) and len(led_after) < len(led_before)


def test_a_selected_small_country_is_named(control):
    main = control.scene
    x, y = main.board.points()["EE"]
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(x, y)))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=(x, y)))
    control.frame()
    picked = main.selected
    assert picked in labels(control)

"""Every number on the top bar and in the side panel's tabs has a tooltip in plain words,
shown where the mouse rests (and not when tooltips are off); the glossary has every good,
every measure and every goal a score counts."""

from __future__ import annotations

import os
import re

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import pytest

pygame = pytest.importorskip("pygame")

from game.ui.app import Control  # noqa: E402

NUMBER = re.compile(r"\d")


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """A game after one turn, so every tab has numbers."""
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config"))
    pygame.init()
    c = Control(scenario="baseline_2025", seed=1, humans=[], save_path=tmp_path_factory.mktemp("s") / "g.save")
    c.start_game(["US"])
    main = c.scenes["main"]
    main.end_turn()
    while main.resolver or c.game.turn == 0:
        c.frame()
    yield c
    pygame.quit()


def hover(control, pos):
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
    control.frame()
    return control.scene.tip


def test_every_number_on_the_top_bar_has_a_tooltip(played):
    main = played.scene
    played.frame()
    assert len(main.bar_texts) >= 6
    for (text, x), (rect, _) in zip(main.bar_texts, main.bar_tips):
        tip = hover(played, rect.center)
        assert len(tip.split()) >= 6, (text, tip)              # words, not a repeat of the number
    assert "millions of US dollars" in hover(played, main.bar_tips[3][0].center)


@pytest.mark.parametrize("tab", ["country", "markets", "scores", "news"])
def test_every_number_in_a_tab_has_a_tooltip(played, tab):
    main = played.scene
    main.selected = "US"
    main.set_tab(tab)
    played.frame()
    with_numbers = [(i, text) for i, text in enumerate(main.rows) if NUMBER.search(text)]
    assert with_numbers
    line_h = played.fonts.fonts["small"].get_height() + 4
    for i, text in with_numbers:
        top = main.chart_rect.bottom + 8 if tab == "markets" else main.panel.y + 60   # the chart sits above
        pos = (main.panel.x + 40, top + i * line_h + line_h // 2)
        tip = hover(played, pos)
        assert tip and len(tip.split()) >= 5, (tab, text, tip)


def test_tooltips_off_shows_none(played):
    main = played.scene
    rect = main.bar_tips[3][0]
    played.settings.tooltips = False
    try:
        assert hover(played, rect.center) == ""
    finally:
        played.settings.tooltips = True
    assert hover(played, rect.center)


def test_the_glossary_has_every_good_measure_and_goal(played):
    main = played.scene
    key = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_h, mod=0, unicode="")
    pygame.event.post(key)
    played.frame()
    helpscene = played.scene
    assert helpscene.name == "help"
    terms = {term.split(":")[0] for _, term, _ in helpscene.rows}
    scenario = played.game.scenario
    assert set(scenario.goods) <= terms
    goals = {o.replace("_", " ") for weights in scenario.scoring.values() for o in weights}
    assert goals <= terms
    for measure in ("alignment", "stability", "treasury", "spending room", "price / reference", "world share",
                    "shortage", "stockpile", "export control", "score"):
        assert measure in terms
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0, unicode=""))
    played.frame()
    assert played.scene is main


def test_scores_put_your_seat_first_and_news_counts_the_firms_orders(played):
    main = played.scene
    main.set_tab("scores")
    played.frame()
    assert main.rows[1].startswith("  US (you): ") and main.rows[2].startswith("  CN (AI): ")
    main.set_tab("news")
    played.frame()
    report = played.last_report
    firm_orders = [t for s, t in report.accepted if s not in played.game.scenario.countries]
    assert firm_orders                                     # firms act every turn
    counted = sum(int(r.split(": ")[1].split(" x ")[0]) for r in main.rows if r.startswith("  firms: "))
    assert all(len(r) < 90 for r in main.rows)
    assert counted == len(firm_orders)
    assert not any(r.startswith(f"  {s}: ") for s, _ in report.accepted if s not in played.game.scenario.countries
                   for r in main.rows)

"""The new-game scene: scenario and briefing, who plays each seat (person or AI personality
at a difficulty), the seed; and the role briefings' first moves are orders the engine takes."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import pytest

pygame = pytest.importorskip("pygame")

from game.api import Game  # noqa: E402
from game.seat_specs import seat_policies  # noqa: E402
from game.ui.app import Control  # noqa: E402
from game.ui.briefings import OBJECTIVES, briefing  # noqa: E402
from tests.ui_events import click, key, window  # noqa: E402


@pytest.fixture
def control(tmp_path):
    with window(tmp_path / "g.save") as c:
        yield c


def row_button(scene, seat, index):
    """index 0: the seat's name, 1: who plays it, 2: the AI's level."""
    return [b for b in scene.row_buttons if b.row.seat == seat][index]


def open_new_game(control):
    key(control, pygame.K_n)
    assert control.scene.name == "new_game"
    return control.scene


def test_people_ai_personalities_levels_and_seed_make_the_game(control):
    scene = open_new_game(control)
    assert "China mines about two thirds" in " ".join(scene.briefing_lines()[1])   # the scenario's briefing
    click(control, row_button(scene, "US", 1).rect)
    assert row_button(scene, "US", 1).label == "person" and not row_button(scene, "US", 2).enabled
    who = row_button(scene, "CN", 1)
    while who.label != "AI: hawk":
        click(control, who.rect)
        who = row_button(scene, "CN", 1)
    while row_button(scene, "CN", 2).label != "hard":
        click(control, row_button(scene, "CN", 2).rect)
    title, lines = scene.briefing_lines()
    assert "hawk at hard" in lines[0] and "Tit-for-tat" in lines[1]          # the personality explained
    firms = row_button(scene, "firm", 1)                                      # a row for every firm
    click(control, firms.rect)
    assert row_button(scene, "firm", 1).label.startswith("AI: ") and row_button(scene, "firm", 1).label != "AI: default"
    firm_policy = row_button(scene, "firm", 1).label.removeprefix("AI: ")
    click(control, scene.seed_box.rect)
    key(control, pygame.K_BACKSPACE)
    pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text="42"))
    control.frame()
    click(control, next(b for b in scene.buttons if b.label.startswith("Start")).rect)
    assert control.scene.name == "main" and control.scene.seat == "US"
    game = control.game
    assert game.seed == 42 and game.seats["US"] == "human" and game.seats["CN"] == "hawk:hard"
    assert game.seats["MP"] == firm_policy
    assert game.model.seat_agent["CN"].policy.name == "hawk:hard"            # the engine plays what was chosen
    assert game.model.seat_agent["MP"].policy.name == firm_policy


def test_the_role_briefing_says_goals_what_to_watch_and_first_moves(control):
    scene = open_new_game(control)
    click(control, row_button(scene, "US", 1).rect)          # US to a person: its briefing shows
    title, lines = scene.briefing_lines()
    text = "\n".join(lines)
    weights = control.scenario.scoring["western_power"]
    assert all(name.replace("_", " ") in text for name in weights)
    assert "What to watch" in text and "stockpile good=dytb_oxide" in text
    click(control, row_button(scene, "US", 1).rect)          # and back to the AI
    assert row_button(scene, "US", 1).label.startswith("AI: ")
    click(control, row_button(scene, "JP", 0).rect)
    title, lines = scene.briefing_lines()                    # an AI seat says what its AI does
    assert "default at normal" in lines[0] and lines[1].startswith("default_state: Uses stockpiles")


@pytest.mark.parametrize("seat", ["US", "CN", "JP", "ID", "AU", "MP"])
def test_every_first_move_of_a_briefing_is_an_order_the_engine_takes(seat):
    game = Game("baseline_2025", seed=3, seats={seat: "human"})
    b = briefing(game.scenario, seat)
    assert 1 <= len(b.first_moves) <= 3 and b.goals and b.watch
    assert all(name in OBJECTIVES for name, _, _ in b.goals)
    for text, _why in b.first_moves:
        verdict = game.check_order(seat, text)
        assert verdict.ok, (seat, text, verdict.reason)


def test_no_person_or_a_bad_seed_is_refused_with_a_reason(control):
    scene = open_new_game(control)
    key(control, pygame.K_RETURN)
    assert control.scene.name == "new_game" and "at least one seat for a person" in scene.message
    click(control, row_button(scene, "US", 1).rect)
    scene.seed_box.value = "-3"
    key(control, pygame.K_RETURN)
    assert control.scene.name == "new_game" and "whole number" in scene.message
    click(control, next(b for b in scene.buttons if b.label == "+").rect)   # the seed steps from the last good one
    assert scene.seed_box.value == "2" and scene.message == ""


def test_command_line_seat_specs_preset_the_rows(tmp_path):
    pygame.init()
    try:
        sc = Game("baseline_2025").scenario
        seats = seat_policies(sc, ["great_power=hawk:hard", "US=human", "resource=nationalist:easy"])
        control = Control(scenario="baseline_2025", seed=5, humans=[], seats=seats, save_path=tmp_path / "g.save")
        scene = open_new_game(control)
        assert scene.humans() == ["US"]
        cn = next(r for r in scene.rows if r.seat == "CN")
        assert (cn.who, cn.level) == ("hawk", "hard")
        seats_back = seat_policies(sc, scene.specs())
        assert seats_back["CN"] == "hawk:hard" and seats_back["ID"] == "nationalist:easy" and seats_back["US"] == "human"
    finally:
        pygame.quit()


def test_the_seat_list_scrolls_to_every_firm(control):
    scene = open_new_game(control)
    total = len(scene.rows)
    assert total == 3 + len(control.scenario.countries) + len(control.scenario.firms)
    for _ in range(200):
        key(control, pygame.K_PAGEDOWN)
    last = scene.rows[-1].seat
    assert any(b.row.seat == last for b in scene.row_buttons)

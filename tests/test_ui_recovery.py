"""A turn that raises on the worker thread: the window shows the error in a dialog, the game
goes back to where it was before the turn (orders and injected events queued again), the
autosave on disk is untouched, and the next End turn works."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import pytest

pygame = pytest.importorskip("pygame")

from game.ui.app import Control  # noqa: E402
from tests.ui_events import click, resolve, window  # noqa: E402


@pytest.fixture
def control(tmp_path):
    with window(tmp_path / "saves" / "g.save", seed=4, people=["US"]) as c:
        yield c


def break_next_turn(game):
    def step(on_phase=None):
        on_phase(1, 8, "events")
        raise RuntimeError("the market solver diverged")
    game.step = step


def test_a_failing_turn_shows_a_dialog_and_the_game_goes_back_to_before_it(control, tmp_path):
    main = control.scene
    click(control, main.end_button.rect)                 # a good first turn: the autosave is written
    resolve(control)
    assert control.game.turn == 1
    saved = control.save_path.read_bytes()
    digest = control.game.digest()
    control.game.submit("US", "export_control good=gallium target=CN")
    control.game.inject("coup")
    break_next_turn(control.game)
    broken = control.game
    click(control, main.end_button.rect)
    resolve(control)
    assert control.scene.name == "main" and main.dialog                              # no crash: a dialog
    shown = " ".join(main.dialog)
    assert "the market solver diverged" in shown and "start of turn 2" in shown
    assert control.game is not broken and control.game.turn == 1 and control.game.digest() == digest
    assert control.game.pending("US") == ["export_control good=gallium target=CN mode=ban"]
    assert [e["event"] for e in control.game.model.injected_events] == ["coup"]
    assert control.save_path.read_bytes() == saved                                   # the autosave untouched
    log = control.save_path.parent / "chokepoint-errors.log"
    assert "RuntimeError: the market solver diverged" in log.read_text()
    click(control, main.end_button.rect)                  # the dialog takes the click: nothing else happens
    assert main.resolver is None
    click(control, main.dialog_button.rect)
    assert main.dialog is None
    click(control, main.end_button.rect)                  # and the game goes on
    resolve(control)
    assert control.game.turn == 2 and not main.dialog
    assert any(s == "US" and t.startswith("export_control good=gallium") for s, t in control.last_report.accepted)
    assert any(eid == "coup" for eid, _ in control.last_report.events)


def test_a_failing_first_turn_recovers_without_any_save_on_disk(control):
    main = control.scene
    control.game.submit("US", "tariff good=battery_cell target=CN rate=0.3")
    break_next_turn(control.game)
    click(control, main.end_button.rect)
    resolve(control)
    assert main.dialog and control.game.turn == 0 and not control.save_path.exists()
    assert control.game.pending("US") == ["tariff good=battery_cell target=CN rate=0.3"]
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode=""))
    control.frame()
    assert main.dialog is None


def test_new_games_autosave_in_the_user_saves_folder_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pygame.init()
    try:
        c = Control(scenario="baseline_2025", seed=9, humans=[])
        c.start_game(["US"])
        main = c.scene
        click(c, main.end_button.rect)
        resolve(c)
        saves = tmp_path / "data" / "chokepoint" / "saves"
        assert c.save_path.parent == saves and c.save_path.exists()
        assert c.save_path.name.startswith("baseline_2025-seed9-")
        assert not list(tmp_path.glob("*.save"))
    finally:
        pygame.quit()


def test_the_menu_loads_a_saved_game_which_then_autosaves_where_it_came_from(control, tmp_path):
    main = control.scene
    click(control, main.end_button.rect)
    resolve(control)
    other = tmp_path / "class" / "monday.save"
    other.parent.mkdir()
    other.write_bytes(control.save_path.read_bytes())
    digest = control.game.digest()
    click(control, main.end_button.rect)
    resolve(control)
    control.save_path = other                               # as if the class's game had been loaded before
    click(control, main.menu_button.rect)
    menu = control.scene
    assert menu.name == "menu"
    entry = next(b for b in menu.load_buttons if b.label.startswith("monday"))
    click(control, entry.rect)
    assert control.scene.name == "main" and control.game.turn == 1 and control.game.digest() == digest
    assert control.save_path == other
    click(control, control.scene.end_button.rect)
    resolve(control)
    assert control.game.turn == 2 and '"turn": 1' in other.read_text()     # saved next to the loaded game

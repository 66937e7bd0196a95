"""Settings: reachable from the title and the in-game menu, applied at once, kept in a file
in the user's config directory, with a clear message when that file cannot be written."""

from __future__ import annotations

import json
import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import pytest

pygame = pytest.importorskip("pygame")

from game.ui.app import Control  # noqa: E402
from game.ui.settings import load_settings  # noqa: E402
from tests.ui_events import click, key, window  # noqa: E402


@pytest.fixture
def control():
    with window() as c:
        yield c


def setting(control, label):
    return next(b for b in control.scene.buttons if getattr(b, "setting", "") == label)


def test_settings_from_the_title_are_applied_and_kept_in_the_config_dir(control, tmp_path):
    key(control, pygame.K_s)
    assert control.scene.name == "settings"
    click(control, setting(control, "Window size").rect)
    assert control.screen.get_size() == (1440, 900) == control.size        # applied at once
    click(control, setting(control, "Tooltips").rect)
    click(control, setting(control, "Autosave every turn").rect)
    assert setting(control, "Tooltips").label == "off"
    path = tmp_path / "config" / "chokepoint" / "settings.json"
    saved = json.loads(path.read_text())
    assert saved["width"] == 1440 and saved["tooltips"] is False and saved["autosave"] is False
    assert control.scene.message.startswith("Saved in")
    key(control, pygame.K_ESCAPE)
    assert control.scene.name == "title"
    again = Control(scenario="baseline_2025", seed=1, humans=[])        # the next session starts with them
    assert again.settings.size == (1440, 900) and not again.settings.tooltips and not again.settings.autosave


def test_the_in_game_menu_opens_settings_and_returns_to_the_same_view(control, tmp_path):
    control.start_game(["US"])
    main = control.scene
    main.set_tab("markets")
    control.game.submit("US", "export_control good=gallium target=CN")
    click(control, main.menu_button.rect)
    assert control.scene.name == "menu"
    click(control, next(b for b in control.scene.buttons if b.label == "Settings").rect)
    assert control.scene.name == "settings"
    click(control, setting(control, "Autosave every turn").rect)
    assert control.settings.autosave is False
    key(control, pygame.K_ESCAPE)
    assert control.scene.name == "main" and control.scene.tab == "markets"
    assert control.game.pending("US") == ["export_control good=gallium target=CN mode=ban"]
    click(control, main.end_button.rect)
    while main.resolver:
        control.frame()
    assert control.game.turn == 1 and not control.save_path.exists()     # autosave off: nothing written


def test_a_pin_must_be_digits_and_an_unwritable_config_dir_is_reported(tmp_path, monkeypatch):
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("a file where the config directory should be")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
    pygame.init()
    try:
        control = Control(scenario="baseline_2025", seed=1, humans=[])
        key(control, pygame.K_s)
        scene = control.scene
        click(control, scene.pin_box.rect)
        pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text="12a"))
        control.frame()
        key(control, pygame.K_RETURN)
        assert scene.error and "4 to 8 digits" in scene.message and control.settings.facilitator_pin == ""
        scene.pin_box.value = "2468"
        key(control, pygame.K_RETURN)
        assert control.settings.facilitator_pin == "2468"             # kept for this session
        assert scene.error and scene.message.startswith("Could not save the settings to")
        assert str(blocker) in scene.message
    finally:
        pygame.quit()


def test_a_broken_settings_file_gives_defaults_and_says_so(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    settings, warning = load_settings(path)
    assert settings.size == (1280, 800) and settings.tooltips and "could not be read" in warning
    path.write_text(json.dumps({"width": 300, "tooltips": "yes", "autosave": False}))
    settings, warning = load_settings(path)
    assert settings.size == (1280, 800) and settings.tooltips is True and settings.autosave is False and not warning


def test_play_refuses_a_bad_size_or_seat_with_a_clear_message(capsys, monkeypatch):
    from types import SimpleNamespace

    from game.ui.app import main
    args = SimpleNamespace(scenario="baseline_2025", seed=0, seat=[], load=None, fullscreen=False, size="900x600",
                           demo=None, screenshots=None)
    assert main(args) == 2 and "at least 1280x800" in capsys.readouterr().err
    args.size, args.seat = None, ["XX=hawk"]
    assert main(args) == 2 and "'XX' is neither a seat" in capsys.readouterr().err

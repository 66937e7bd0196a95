"""Facilitator mode: every catalogued event can be injected, reveal all shows every power's
books, the turn can be ended for everyone (no handover), pause holds End turn, and an
optional PIN keeps the controls locked until it is entered."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import pytest

pygame = pytest.importorskip("pygame")

from tests.ui_events import click, key, resolve, window  # noqa: E402


@pytest.fixture
def control(tmp_path):
    with window(tmp_path / "g.save", seed=2, people=["US", "CN"]) as c:
        yield c


def test_every_catalogued_event_has_a_button_with_its_description(control):
    key(control, pygame.K_6)
    facil = control.scene.facil
    assert sorted(b.label for b in facil.event_buttons) == sorted(control.game.scenario.events)
    coup = next(b for b in facil.event_buttons if b.label == "coup")
    assert control.game.scenario.events["coup"].description in coup.tip
    click(control, coup.rect)
    assert control.game.model.injected_events[-1]["event"] == "coup"


def test_reveal_all_shows_every_powers_books_and_hides_them_again(control):
    control.game.submit("CN", "export_subsidy good=ndpr_oxide rate=0.1")
    main = control.scene
    main.selected = "CN"
    main.set_tab("country")
    control.frame()
    assert not any("treasury" in r for r in main.rows)          # US cannot see China's books
    key(control, pygame.K_6)
    facil = main.facil
    click(control, facil.reveal_button.rect)
    assert control.reveal_all and facil.reveal_button.label.startswith("Hide")
    shown = "\n".join(facil.reveal_lines)
    cn_treasury = control.game.observe("CN")["private"]["treasury"]
    assert f"CN (person): treasury {cn_treasury:,.0f} M$" in shown
    assert "pending: export_subsidy good=ndpr_oxide rate=0.1" in shown
    main.set_tab("country")
    control.frame()
    assert any(r.startswith("Revealed: CN's treasury") for r in main.rows)
    key(control, pygame.K_6)
    click(control, facil.reveal_button.rect)
    main.set_tab("country")
    control.frame()
    assert not control.reveal_all and not any("treasury" in r for r in main.rows)


def test_end_the_turn_for_everyone_skips_the_handover(control):
    control.game.submit("US", "export_control good=gallium target=CN")
    key(control, pygame.K_6)
    click(control, control.scene.facil.end_all_button.rect)
    assert control.scene.resolver is not None                # CN never had its turn: no handover
    resolve(control)
    assert control.game.turn == 1
    assert any(s == "US" for s, _ in control.last_report.accepted)
    assert control.scene.name == "handover" and control.scene.seat == "US"


def test_pause_holds_end_turn_and_end_for_everyone(control):
    key(control, pygame.K_p)
    assert control.timer.paused
    main = control.scene
    key(control, pygame.K_e)
    assert control.scene.name == "main" and main.resolver is None and "paused" in main.messages[0][0]
    assert any(text == "PAUSED" for text, _ in main.bar_texts)
    key(control, pygame.K_6)
    click(control, main.facil.end_all_button.rect)
    assert main.resolver is None and "resume" in main.messages[0][0]
    key(control, pygame.K_p)
    key(control, pygame.K_e)
    assert control.scene.name == "handover" and control.scene.seat == "CN"


def test_a_pin_locks_the_facilitator_controls_until_entered(control):
    control.settings.facilitator_pin = "4321"
    main = control.scene
    key(control, pygame.K_6)
    facil = main.facil
    assert facil.locked
    click(control, facil.event_buttons[0].rect)             # nothing happens behind the lock
    assert control.game.model.injected_events == []
    if facil.pin_box.focused:                                # that click landed in the PIN box
        key(control, pygame.K_ESCAPE)
    key(control, pygame.K_p)
    assert not control.timer.paused and "PIN" in main.messages[0][0]
    click(control, facil.pin_box.rect)
    pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text="1111"))
    control.frame()
    key(control, pygame.K_RETURN)
    assert facil.locked and "Wrong PIN" in main.messages[0][0]
    click(control, facil.pin_box.rect)
    pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text="4321"))
    control.frame()
    key(control, pygame.K_RETURN)
    assert not facil.locked
    click(control, facil.event_buttons[0].rect)
    assert control.game.model.injected_events[-1]["event"] == facil.event_buttons[0].label

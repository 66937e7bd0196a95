"""Play through the real window on SDL's dummy driver by posting mouse and keyboard events."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import pytest

pygame = pytest.importorskip("pygame")

from game.ui.app import Control  # noqa: E402


@pytest.fixture
def control(tmp_path):
    pygame.init()
    c = Control(scenario="baseline_2025", seed=1, humans=[], save_path=tmp_path / "g.save")
    yield c
    pygame.quit()


def click(control, rect):
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=pygame.Rect(rect).center))
    control.frame()


def key(control, k, mod=0):
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode=""))
    control.frame()


def type_text(control, text):
    pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=text))
    control.frame()


def button(control, label_start):
    return next(b for b in control.scene.buttons if b.label.startswith(label_start))


def resolve(control):
    for _ in range(3000):
        control.frame()
        main = control.scenes["main"]
        if control.scene.name != "main" or not main.resolver:
            return
    raise AssertionError("the turn did not resolve")


def start(control, *seats):
    click(control, button(control, "New game").rect)
    assert control.scene.name == "new_game"
    for seat in seats:
        click(control, button(control, seat + ":").rect)
    click(control, button(control, "Start").rect)
    assert control.scene.name == "main"


def test_submit_export_control_refuse_bad_order_and_end_turn(control):
    start(control, "US")
    main = control.scene
    click(control, main.order_box.rect)
    type_text(control, "export_control good=gallium target=CN")
    key(control, pygame.K_RETURN)
    pending = control.game.pending("US")
    assert len(pending) == 1 and pending[0].startswith("export_control good=gallium target=CN")
    assert main.messages[0][0].startswith("Queued")
    type_text(control, "export_control good=gallium")      # no target
    key(control, pygame.K_RETURN)
    assert main.messages[0][0].startswith("Refused:") and "target" in main.messages[0][0]
    assert main.order_box.value == "export_control good=gallium"   # a refused order is kept to fix
    key(control, pygame.K_e)                               # goes to the focused box, not End turn
    assert main.resolver is None
    click(control, main.end_button.rect)
    assert main.resolver is not None                      # resolving off the UI thread
    click(control, main.end_button.rect)                  # a second End turn is refused visibly
    assert main.queued_clicks == 1
    worker = main.resolver
    worker.thread.join()
    assert worker.progress == (worker.progress[1], worker.progress[1], "end_of_turn")   # every phase heard
    resolve(control)
    assert control.game.turn == 1
    assert any(s == "US" and t.startswith("export_control good=gallium target=CN")
               for s, t in control.last_report.accepted)


def test_hot_seat_facilitator_save_load_and_after_action(control, tmp_path):
    start(control, "US", "CN")
    assert control.scene.seat == "US"
    control.game.turns = 2
    key(control, pygame.K_6)                               # facilitator tab
    assert control.scene.tab == "facilitator"
    click(control, next(b for b in control.scene.event_buttons if b.label == "ai_boom").rect)
    key(control, pygame.K_e)
    assert control.scene.name == "handover" and control.scene.seat == "CN"
    key(control, pygame.K_RETURN)
    assert control.scene.name == "main" and control.scene.seat == "CN"
    key(control, pygame.K_e)
    resolve(control)
    assert control.game.turn == 1
    assert any(eid == "ai_boom" for eid, _ in control.last_report.events)
    assert control.scene.name == "handover"
    key(control, pygame.K_RETURN)
    key(control, pygame.K_s, pygame.KMOD_CTRL)
    assert (tmp_path / "g.save").exists()
    digest = control.game.digest()
    control.load_game(tmp_path / "g.save")
    assert control.game.digest() == digest and control.scene.name == "main"
    control.game.turns = 2
    key(control, pygame.K_e)
    key(control, pygame.K_RETURN)
    key(control, pygame.K_e)
    resolve(control)
    assert control.scene.name == "after_action"
    assert set(control.scene.scores) >= {"US", "CN"}


def pick(control, picker, typed):
    """Click a picker's value, type to jump to a choice, press Enter."""
    click(control, (picker.rect.centerx, picker.rect.centery, 1, 1))
    type_text(control, typed)
    key(control, pygame.K_RETURN)


def test_orders_panel_checks_before_adding_and_cancels(control):
    start(control, "US")
    orders = control.scene.orders
    pick(control, orders.action_picker, "export_control")
    good, target = (next(w for w in orders.widgets if w.name == n) for n in ("good", "target"))
    pick(control, good, "gallium")
    pick(control, target, "CN")
    control.frame()
    assert orders.last_text == "export_control good=gallium target=CN mode=ban"
    assert orders.check.reason is None and orders.add_button.enabled
    click(control, orders.add_button.rect)
    assert control.game.pending("US") == ["export_control good=gallium target=CN mode=ban"]
    pick(control, orders.action_picker, "subsidy")
    amount = next(w for w in orders.widgets if w.name == "amount")
    click(control, amount.rect)                          # focus the number and type a huge grant
    amount.value = ""
    type_text(control, "99999999")
    key(control, pygame.K_RETURN)
    control.frame()
    assert orders.check.reason is not None and not orders.add_button.enabled
    click(control, orders.add_button.rect)               # refused: nothing added
    assert len(control.game.pending("US")) == 1
    click(control, orders.cancel_buttons[0].rect)
    assert control.game.pending("US") == []
    assert control.scene.messages[0][0].startswith("Taken back: export_control")


def test_world_board_zooms_pans_and_selects_a_country(control):
    start(control, "US")
    board = control.scene.map
    at = board.points()["CN"]
    pygame.mouse.set_pos(at)
    pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=1))
    control.frame()
    assert board.zoom > 1.0
    at = board.points()["CN"]
    for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
        pygame.event.post(pygame.event.Event(kind, button=1, pos=at))
    control.frame()
    assert control.scene.selected == "CN" and control.scene.tab == "country"
    before = board.points()["CN"]
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(200, 400)))
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=(300, 450), rel=(100, 50), buttons=(1, 0, 0)))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=(300, 450)))
    control.frame()
    assert board.points()["CN"] == (before[0] + 100, before[1] + 50)     # a drag pans, not selects
    assert control.scene.selected == "CN"
    key(control, pygame.K_g)                               # G shows the next good's trade
    assert control.scene.good_picker.value != "gallium"

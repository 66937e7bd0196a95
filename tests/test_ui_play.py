"""Play through the real window on SDL's dummy driver by posting mouse and keyboard events."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import pytest

pygame = pytest.importorskip("pygame")

from game.ui.app import Control  # noqa: E402
from tests.ui_events import click, key, window  # noqa: E402


@pytest.fixture
def control(tmp_path):
    with window(tmp_path / "g.save") as c:
        yield c


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
    for seat in seats:                                     # a seat's "who" button: AI -> person
        click(control, next(b for b in control.scene.row_buttons if b.row.seat == seat and b.label == "AI: default").rect)
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
    board = control.scene.board                           # drawn while resolving, yet not stale after
    assert board.flows_for(control.scene.public["turn"]) == control.game.trade_flows(board.good)[:30] != []
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
    after = control.scene
    assert set(after.scores) >= {"US", "CN"}
    while after.builder is not None:                       # the report builds off the UI thread
        control.frame()
    control.frame()
    assert after.report is not None and len(after.images) == len(after.report.figures) > 0
    key(control, pygame.K_RIGHT)
    assert after.figure == 1
    key(control, pygame.K_q)
    assert after.view == "questions" and after.report.questions
    key(control, pygame.K_w)
    assert (tmp_path / "report" / "report.html").exists() and after.note.startswith("Report written")


def test_compose_an_order_with_pickers_see_the_verdict_send_and_cancel(control):
    start(control, "US")
    main = control.scene
    comp = main.composer
    click(control, next(b for b in comp.buttons if b.label == "export_control").rect)
    assert comp.action == "export_control" and comp.verdict is not None and comp.verdict.ok
    good_before = comp.values["good"]
    arrows = [b for b in comp.buttons if b.label == ">"]
    click(control, arrows[0].rect)                          # next good
    assert comp.values["good"] != good_before
    assert comp.verdict.text == comp.text() or comp.verdict.text.startswith(comp.text())
    click(control, comp.send_button.rect)
    assert len(control.game.pending("US")) == 1
    assert control.game.pending("US")[0].startswith(f"export_control good={comp.values['good']}")
    cancel = next(b for b in comp.buttons if b.label == "cancel")
    click(control, cancel.rect)
    assert control.game.pending("US") == []
    assert main.messages[-1][0].startswith("Withdrawn")


def test_the_board_zooms_pans_and_picks_a_country(control):
    start(control, "US")
    main, board = control.scene, control.scene.board
    x, y = board.points()["CN"]
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(x, y)))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=(x, y)))
    control.frame()
    assert main.selected == "CN" and main.tab == "country"
    zoom = board.zoom
    board.zoom_at((x, y), 1.25)
    assert board.zoom > zoom and abs(board.points()["CN"][0] - x) <= 1   # zooms about the mouse
    key(control, pygame.K_RIGHTBRACKET)
    assert board.good != "gallium"


def test_facilitator_hands_a_seat_to_the_ai_and_runs_a_pausable_timer(control):
    start(control, "US", "CN")
    key(control, pygame.K_6)
    seats = control.scene.seat_controls
    cn = next(b for b in seats.buttons if b.label.startswith("CN:"))
    assert cn.label == "CN: person"
    click(control, cn.rect)
    control.frame()
    assert control.game.seats["CN"] != "human" and cn.label == "CN: AI"
    assert control.humans == ["US"]
    us = next(b for b in seats.buttons if b.label.startswith("US:"))
    click(control, us.rect)                                # the last person's seat is refused
    assert control.game.seats["US"] == "human" and "only seat" in control.scene.messages[0][0]
    click(control, seats.timer_button.rect)
    assert control.timer.per_turn == 180
    control.timer.tick(10)
    assert 160 < control.timer.left <= 170
    key(control, pygame.K_p)
    left = control.timer.left
    control.timer.tick(10)
    control.frame()
    assert control.timer.left == left and control.timer.label().startswith("paused")
    key(control, pygame.K_e)                               # paused: End turn waits
    assert control.scene.resolver is None and "paused" in control.scene.messages[0][0]
    key(control, pygame.K_p)
    key(control, pygame.K_e)                               # CN is AI now: no handover, the turn resolves
    resolve(control)
    assert control.game.turn == 1 and control.scene.name == "main" and control.scene.seat == "US"
    assert "CN" not in control.game.model.human_seats       # its AI chose its orders this turn


def test_help_lists_every_good_and_order_and_returns_to_the_same_seat(control):
    start(control, "US")
    control.game.submit("US", "export_control good=gallium target=CN")
    key(control, pygame.K_h)
    assert control.scene.name == "help"
    terms = " ".join(term for _, term, _ in control.scene.rows)
    assert all(g in terms for g in control.game.scenario.goods)
    assert "export_control" in terms and "alignment" in terms
    pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=-1))
    control.frame()
    assert control.scene.scroll == 3
    key(control, pygame.K_ESCAPE)
    assert control.scene.name == "main" and control.scene.seat == "US"
    assert control.game.pending("US") == ["export_control good=gallium target=CN mode=ban"]


def test_a_new_turn_clears_last_turns_queue_and_its_cancel_buttons(control):
    start(control, "US")
    main, comp = control.scene, control.scene.composer
    click(control, next(b for b in comp.buttons if b.label == "tariff").rect)
    click(control, comp.send_button.rect)
    assert [b for b in comp.buttons if b.label == "cancel"]
    click(control, main.end_button.rect)
    resolve(control)
    assert control.game.turn == 1 and control.game.pending("US") == []
    assert not [b for b in comp.buttons if b.label == "cancel"] and main.messages == []


def test_the_title_lists_saved_games_and_continues_the_newest(tmp_path):
    """A player comes back: the title offers the newest saves (C continues the newest one),
    and a damaged save says why it cannot be loaded instead of closing the window."""
    from game.api import Game
    from game.save import write_save
    from game.ui.settings import saves_dir
    folder = saves_dir()
    older, newer = Game("baseline_2025", seed=3, seats={"US": "human"}), Game("baseline_2025", seed=5, seats={"CN": "human"})
    newer.step()
    write_save(older, folder / "older.save")
    write_save(newer, folder / "newer.save")
    os.utime(folder / "older.save", (1, 1))
    (folder / "broken.save").write_text("not a save\n")
    os.utime(folder / "broken.save", (0, 0))
    pygame.init()
    try:
        c = Control(scenario="baseline_2025", seed=1, humans=[])
        title = c.scene
        assert [p.name for p in title.saves] == ["newer.save", "older.save", "broken.save"]
        labels = [b.label for b in title.buttons]
        assert "Continue newer  (C)" in labels and "Load older" in labels
        click(c, next(b for b in title.buttons if b.label == "Load broken").rect)
        assert c.scene.name == "title" and "Could not load broken.save" in title.message
        key(c, pygame.K_c)
        assert c.scene.name == "main" and c.game.turn == 1 and c.scene.seat == "CN"
        assert c.game.digest() == newer.digest()
    finally:
        pygame.quit()


def test_loading_a_finished_game_opens_its_debrief(tmp_path):
    from game.api import Game
    from game.save import write_save
    done = Game("baseline_2025", seed=2, seats={"US": "human"}, turns=1)
    done.step()
    write_save(done, tmp_path / "done.save")
    pygame.init()
    try:
        c = Control(scenario="baseline_2025", seed=1, humans=[])
        c.load_game(tmp_path / "done.save")
        assert c.scene.name == "after_action" and c.game.over
        c.scene.builder.thread.join(120)                    # its report is built, not left running
        assert c.scene.builder.error is None
    finally:
        pygame.quit()

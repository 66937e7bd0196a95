"""The game window as a LAN client, on pygame's dummy video driver: a seat's main screen
sends its orders to the server and shows the new turn; the facilitator's console pauses
and reveals; `chokepoint join` without a screen says so."""

from __future__ import annotations

import time

import pygame
import pytest

from game.net.client_ui import RemoteControl, Waiting
from game.net.remote import RemoteGame
from game.net.room import FACILITATOR, Room
from tests.netkit import ServerThread


@pytest.fixture
def lan():
    pygame.init()
    server = ServerThread(Room.new("baseline_2025", seed=1, humans=["US", "CN"], turns=3))
    games = []

    def join(who):
        games.append(RemoteGame(server.address, server.room.tokens[who]))
        return games[-1]
    yield server, join
    for g in games:
        g.close()
    server.stop()
    pygame.quit()


def frames_until(control, done, seconds=15):
    end = time.time() + seconds
    while not done() and time.time() < end:
        control.frame()
    assert done()


def test_a_seat_window_orders_through_the_server_and_shows_the_new_turn(lan):
    server, join = lan
    us, cn = join("US"), join("CN")
    control = RemoteControl(us)
    main = control.scenes["main"]
    control.frame()
    with pytest.raises(PermissionError):
        us.observe("CN")
    main.composer.choose("export_control")
    main.composer.values.update(good="gallium", target="CN")
    main.composer.recheck()
    assert main.composer.verdict.ok                    # the server's engine checked it
    main.composer.send()
    assert server.room.game.pending("US") == ["export_control good=gallium target=CN mode=ban"]
    main.end_turn()                                    # Ready: the screen waits for CN
    control.frame()
    assert isinstance(main.resolver, Waiting) and "US" in server.room.ready
    main.end_turn()                                    # and E again takes it back
    assert main.resolver is None and "US" not in server.room.ready
    main.end_turn()
    assert cn.ready()["ok"]
    frames_until(control, lambda: main.resolver is None and main.public["turn"] == 1)
    assert control.last_report.digest == server.room.game.digest()
    assert main.private["country"] == "US" and us.pending("US") == []
    main.inject("coup")                                # a seat cannot make events happen
    assert "facilitator" in main.messages[-1][0] and server.room.injected == []


def test_the_facilitator_console_pauses_reveals_and_ends_the_turn(lan):
    server, join = lan
    desk = join(FACILITATOR)
    control = RemoteControl(desk)
    console = control.scene
    assert console.name == "console"
    control.frame()
    console.pause()
    frames_until(control, lambda: desk.client.status["paused"])
    control.frame()                                    # labels follow the status in update
    assert server.room.paused and console.top[0].label == "Resume (P)"
    console.reveal()
    assert {r["seat"] for r in console.revealed} >= {"US", "CN"}
    console.inject("coup")
    assert server.room.injected == ["coup"]
    console.hand("JP")                                 # an AI seat to a person: a row of its own
    assert "--token" in console.messages[-1][0] and server.room.game.seats["JP"] == "human"
    frames_until(control, lambda: "JP" in console.seat_rows)
    console.pause()
    console.end_turn()
    frames_until(control, lambda: desk.client.news is not None)
    assert sorted(desk.client.news["defaulted"]) == ["CN", "JP", "US"]      # nobody had queued anything
    control.frame()


def test_join_without_a_screen_says_so(monkeypatch, capsys):
    from game.cli import main
    monkeypatch.delenv("SDL_VIDEODRIVER", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert main(["join", "127.0.0.1:8765", "--token", "x"]) == 2
    assert "needs a screen" in capsys.readouterr().err


def test_join_with_a_bad_address_or_token_says_so(lan, capsys):
    from game.cli import main
    server, _join = lan
    assert main(["join", "nowhere", "--token", "x"]) == 2
    assert "HOST:PORT" in capsys.readouterr().err
    assert main(["join", server.address, "--token", "not-a-token"]) == 2
    assert "unknown token" in capsys.readouterr().err


def test_a_turn_ended_by_the_facilitator_reaches_a_seat_that_was_not_ready(lan):
    server, join = lan
    us, desk = join("US"), join(FACILITATOR)
    control = RemoteControl(us)
    main = control.scenes["main"]
    control.frame()
    assert desk.command("end_turn")["ok"]
    frames_until(control, lambda: main.resolver is None and main.public["turn"] == 1)
    assert "US" in main.messages[-1][0] and "default AI" in main.messages[-1][0]
    assert control.last_report.turn == 1 and control.scores_cache


def test_a_seat_screen_says_when_the_connection_is_lost(lan):
    server, join = lan
    us = join("US")
    control = RemoteControl(us)
    main = control.scenes["main"]
    control.frame()
    drawn = []
    real = control.fonts.text
    control.fonts.text = lambda words, *a, **k: drawn.append(words) or real(words, *a, **k)
    us.loop.call_soon_threadsafe(us.client.drop)
    end = time.time() + 5
    while us.client.connected and time.time() < end:       # (it waits 0.2 s before trying again)
        time.sleep(0.001)
    control.frame()
    assert any("reconnecting" in w for w in drawn)
    frames_until(control, lambda: us.client.connections == 2)       # and it comes back by itself


def test_chokepoint_join_opens_the_window_for_its_seat(lan, tmp_path, capsys):
    from game.cli import main
    server, _join = lan
    png = tmp_path / "us.png"
    assert main(["join", server.address, "--token", server.room.tokens["US"], "--screenshot", str(png)]) == 0
    assert png.stat().st_size > 10_000 and "wrote" in capsys.readouterr().out
    picture = pygame.image.load(str(png))
    assert picture.get_size() == (1280, 800)


def test_at_the_end_every_screen_opens_the_debrief_on_the_whole_game(tmp_path, monkeypatch):
    """A LAN game's last turn: each seat's window and the console fetch the whole game's
    save, replay it here and show the after-action screen, as a local game does; before
    the end the whole game is refused (it would show the other seats' books)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    pygame.init()
    server = ServerThread(Room.new("baseline_2025", seed=4, humans=["US"], turns=2))
    us = RemoteGame(server.address, server.room.tokens["US"])
    console = RemoteGame(server.address, server.room.tokens[FACILITATOR])
    try:
        early = us._call(us.client.final_save())
        assert not early["ok"] and "not over" in early["reason"]
        seat, room_screen = RemoteControl(us), RemoteControl(console)
        main = seat.scenes["main"]
        for turn in (1, 2):
            seat.frame()
            main.end_turn()                                  # the only person is ready: the turn plays
            frames_until(seat, lambda: main.resolver is None and us.turn == turn)
        frames_until(seat, lambda: seat.scene.name == "after_action", seconds=60)
        frames_until(room_screen, lambda: room_screen.scene.name == "after_action", seconds=60)
        for control, who in ((seat, "US"), (room_screen, "facilitator")):
            assert control.game.over and control.game.digest() == server.room.game.digest()
            assert control.save_path == tmp_path / "chokepoint" / "saves" / f"lan-baseline_2025-seed4-{who}.save"
            assert control.save_path.exists()
            builder = control.scenes["after_action"].builder      # the debrief's report, from the whole game
            builder.thread.join(180)
            assert builder.error is None and builder.report is not None
        seat.switch("title")                                 # "Back to title" closes a LAN window
        assert not seat.running
    finally:
        us.close()
        console.close()
        server.stop()
        pygame.quit()

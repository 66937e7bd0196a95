"""The window, the `Control` loop that hands events to the current scene, and `main()`."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

DISPLAY_MESSAGE = ("chokepoint play needs a screen, and none was found (no DISPLAY or WAYLAND_DISPLAY). "
                   "Run a headless game instead: chokepoint run --scenario baseline_2025 --seed 1")


def has_display() -> bool:
    if os.environ.get("SDL_VIDEODRIVER") or not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def scene_classes():
    from game.ui.after_action import AfterActionScene
    from game.ui.help_scene import HelpScene
    from game.ui.main_scene import MainScene
    from game.ui.menu import MenuScene
    from game.ui.new_game import NewGameScene
    from game.ui.scenes import HandoverScene, TitleScene
    from game.ui.settings import SettingsScene
    return (TitleScene, NewGameScene, MainScene, HandoverScene, HelpScene, AfterActionScene, MenuScene,
            SettingsScene)


class Control:
    """Owns the window, the game and the scenes; runs the loop."""

    def __init__(self, *, scenario: str, seed: int, humans: list[str], size=None, fullscreen=None,
                 demo_turns=0, screenshots: Path | None = None, seats=None, save_path=None, load=None,
                 settings_file: Path | None = None):
        import pygame
        from game.rules import load_scenario
        from game.ui.facilitator import TurnTimer
        from game.ui.settings import load_settings, settings_path
        from game.ui.widgets import Fonts
        self.pg = pygame
        self.settings_file = Path(settings_file) if settings_file else settings_path()
        self.settings, self.settings_warning = load_settings(self.settings_file)
        if size:                                         # the command line wins over the settings
            self.settings.width, self.settings.height = size
        if fullscreen is not None:
            self.settings.fullscreen = bool(fullscreen) or self.settings.fullscreen
        self.apply_display(layout=False)
        pygame.display.set_caption("Chokepoint")
        self.fonts = Fonts(self.size[1])
        self.scenario_name, self.seed = scenario, seed
        self.scenario = load_scenario(scenario)
        self.options = {"seats": {**dict(seats or {}), **{s: "human" for s in humans}}}
        self.game = None
        self.last_report = None
        self.scores_cache: dict[str, float] = {}
        self.scenes = {cls.name: cls(self) for cls in scene_classes()}
        self.scene = None
        self.running = True
        self.demo_turns, self.screenshots = demo_turns, screenshots
        self.fixed_save_path = Path(save_path) if save_path else None
        self.save_path = self.fixed_save_path or self.new_save_path()
        self.clock = pygame.time.Clock()
        self.timer = TurnTimer()
        self.reveal_all = False              # facilitator: every seat's books on screen
        self.facilitator_unlocked = False    # the PIN, once entered, holds for the session
        self.switch("title")
        if load:
            self.load_game(load)

    def new_save_path(self) -> Path:
        """Where a new game autosaves: the user's saves folder, one file per game."""
        import datetime as dt
        from game.ui.settings import saves_dir
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        return saves_dir() / f"{Path(str(self.scenario_name)).stem}-seed{self.seed}-{stamp}.save"

    def apply_display(self, layout: bool = True) -> None:
        """Open (or reopen) the window as the settings say: size, or full screen."""
        pg, s = self.pg, self.settings
        if s.fullscreen:
            self.screen = pg.display.set_mode((0, 0) if pg.display.get_driver() != "dummy" else s.size, pg.FULLSCREEN)
        else:
            self.screen = pg.display.set_mode(s.size, pg.RESIZABLE)
        self.size = self.screen.get_size()
        if layout:
            self.fonts.resize(self.size[1])
            for scene in self.scenes.values():
                if scene is self.scene:
                    scene.layout()

    def load_game(self, path) -> None:
        """Continue a saved game: the engine replays it turn by turn and checks each digest."""
        from game.save import load_game
        game = load_game(path)
        self.game, self.save_path = game, Path(path)          # it goes on saving where it was loaded from
        self.scenario, self.scenario_name, self.seed = game.scenario, game.scenario.name, game.seed
        self.last_report, self.scores_cache = None, {}
        self.humans = [s for s, p in self.game.seats.items() if p == "human"] or ["US"]
        self.waiting = list(self.humans)
        if game.over:                              # a finished game: straight to its debrief
            self.switch("after_action")
            return
        self.switch("main", seat=self.waiting[0])

    # -- scene changes -------------------------------------------------------------------
    def switch(self, name: str, **kwargs) -> None:
        if self.scene:
            self.scene.cleanup()
        self.scene = self.scenes[name]
        self.scene.startup(**kwargs)

    def recent_saves(self, limit: int = 4) -> list[Path]:
        """The newest saved games of the user's saves folder, newest first."""
        from game.ui.menu import saved_games
        from game.ui.settings import saves_dir
        return saved_games(saves_dir(), limit=limit)

    def new_game_screen(self):
        self.switch("new_game")

    def quit(self):
        self.running = False

    def start_game(self, humans: list[str] | None = None, *, seats: dict[str, str] | None = None):
        """A new game of the chosen scenario and seed: `seats` maps seats to "human" or a
        policy (the rest play the scenario's default); `humans` is short for seat=human."""
        from game.api import Game
        seats = {**dict(seats or {}), **{s: "human" for s in humans or []}}
        humans = [s for s, p in seats.items() if p == "human"]
        if not humans:
            raise ValueError("at least one seat must be played by a person")
        game = Game(self.scenario, seed=self.seed, seats=seats)
        self.game = game
        if self.fixed_save_path is None:
            self.save_path = self.new_save_path()
        self.humans, self.waiting = list(humans), list(humans)
        self.last_report = None
        self.switch("main", seat=self.waiting[0])

    def save_game(self) -> Path:
        """Write the game in the engine's save format (also done after every turn)."""
        from game.save import write_save
        self.save_path.parent.mkdir(parents=True, exist_ok=True)
        return write_save(self.game, self.save_path)

    def seat_done(self, seat: str):
        """A person ended their turn: hand over to the next, or resolve the turn."""
        self.waiting = [s for s in self.waiting if s != seat]
        if self.waiting:
            self.switch("handover", seat=self.waiting[0])
        else:
            self.scenes["main"].start_resolving()

    def end_turn_for_all(self) -> str:
        """Facilitator: resolve the turn now, whoever has not ended yet. Says why not, if not."""
        main = self.scenes["main"]
        if main.resolver:
            return "The turn is already resolving."
        if self.timer.paused:
            return "The game is paused: resume it (P) before ending the turn."
        self.waiting = []
        main.start_resolving()
        return ""

    def hand_seat(self, seat: str) -> str:
        """Facilitator: a person's seat goes to the AI, an AI seat to a person. Says what it did."""
        game = self.game
        if game.seats.get(seat) == "human":
            if self.humans == [seat]:
                return f"{seat} is the only seat a person plays: give another seat to a person first."
            game.set_policy(seat, game.scenario.seats.get(seat, "default"))
            self.humans.remove(seat)
            self.waiting = [s for s in self.waiting if s != seat] or [s for s in self.humans]
            main = self.scenes["main"]
            if main.seat == seat:                 # the screen now belongs to the next person
                main.startup(seat=self.waiting[0])
            return f"{seat} is now played by the AI (it chooses {seat}'s orders when the turn resolves)."
        game.set_policy(seat, "human")
        self.humans.append(seat)
        self.waiting.append(seat)
        return f"{seat} is now played by a person: after the others end their turn, the screen passes to {seat}."

    def turn_resolved(self, report, error, checkpoint=None):
        if error is not None:
            self.recover(error, checkpoint)
            return
        self.last_report = report
        main = self.scenes["main"]
        if self.settings.autosave:
            try:
                self.save_game()                             # autosave every turn
            except OSError as exc:
                main.dialog = [f"The autosave could not be written to {self.save_path}:", str(exc),
                               "The game goes on; save it elsewhere from the menu, or turn autosave off."]
        self.scores_cache = self.game.scores(against_baseline=False)
        self.timer.restart()
        if self.game.over:
            self.switch("after_action")
            return
        self.waiting = list(self.humans)
        if len(self.humans) > 1:
            self.switch("handover", seat=self.waiting[0])
        else:
            self.scenes["main"].refresh()

    def recover(self, error: BaseException, checkpoint) -> None:
        """A turn raised on the worker thread: say so, and go back to the game before it."""
        from game.ui.recovery import log_error
        main = self.scenes["main"]
        log = log_error(error, self.save_path.parent)
        lines = [f"The turn could not be resolved: {type(error).__name__}: {error}"]
        try:
            self.game = checkpoint.restore()
        except Exception as exc:  # the dialog says it; the title screen is the way out
            lines += [f"The game could not be put back as it was before the turn ({exc}).",
                      f"Load the last autosave ({self.save_path}) from the title screen's New game or the menu."]
            main.dialog, main.dialog_exit = lines, True
            return
        lines += [f"The game is back at the start of turn {self.game.turn + 1}, your orders still queued; "
                  "the autosave on disk is as it was before the turn.",
                  "Try End turn again, or save and report the problem."]
        if log:
            lines.append(f"Details for a bug report: {log}")
        self.waiting = list(self.humans)
        seat = main.seat if main.seat in self.humans else self.humans[0]
        if self.scene is not main:
            self.switch("main", seat=seat)
        else:
            main.startup(seat=seat)
        main.dialog = lines

    # -- the loop ------------------------------------------------------------------------
    def frame(self) -> None:
        pg = self.pg
        dt = self.clock.tick(60) / 1000.0
        for event in pg.event.get():
            if event.type == pg.QUIT:
                self.running = False
            elif event.type == pg.VIDEORESIZE:
                self.resize(event.w, event.h)
            elif event.type == pg.KEYDOWN and event.key == pg.K_ESCAPE and self.scene.name in ("title", "after_action"):
                self.running = False if self.scene.name == "title" else self.switch("title") or True
            else:
                self.scene.handle_event(event)
        self.scene.update(dt)
        self.scene.draw(self.screen)
        pg.display.flip()

    def resize(self, w: int, h: int):
        if self.settings.fullscreen:
            return
        self.settings.width, self.settings.height = max(1280, w), max(800, h)
        self.apply_display()

    def run(self) -> None:
        while self.running:
            self.frame()

    def shot(self, label: str) -> None:
        if self.screenshots:
            self.screenshots.mkdir(parents=True, exist_ok=True)
            if hasattr(self.scene, "tip") and not getattr(self, "shot_tip", False):
                self.scene.tip = ""                    # no stray tooltip from wherever the pointer is
            self.scene.draw(self.screen)
            self.pg.image.save(self.screen, str(self.screenshots / f"{label}.png"))


def play_demo(control: Control) -> None:
    """Play `demo_turns` turns through the real scenes, shooting each screen: the new-game
    scene sets the people's seats (US and CN unless --seat says), the first seat queues an
    export control through the orders panel, then every seat ends its turns."""
    control.frame()
    control.shot("01_title")
    control.switch("settings", back="title")
    control.frame()
    control.shot("02a_settings")
    control.new_game_screen()
    scene = control.scene
    people = scene.humans() or ["US", "CN"]
    for row in scene.rows:
        if row.seat in people:
            row.who = "person"
    scene.focus_row(next(r for r in scene.rows if r.seat == people[0]))
    control.frame()
    control.shot("02_new_game")
    scene.start()
    control.game.turns = min(control.game.turns, control.demo_turns)
    main = control.scenes["main"]
    control.frame()
    control.shot("02b_main_first_turn")
    main.start_tour()                                 # the guided tour, at its step on the board
    main.tour.go(next(i for i, step in enumerate(main.tour.steps) if step[0] == "The world board"))
    control.frame()
    control.shot("02c_guided_tour")
    main.tour.go(next(i for i, step in enumerate(main.tour.steps) if step[0] == "The Orders tab"))
    control.frame()
    control.shot("02d_guided_tour_orders")
    main.tour.stop()
    main.composer.choose("export_control")           # the pickers and the engine's verdict
    main.composer.values.update(good="gallium", target="CN")
    main.composer.step("mode", +1)                   # a licence: its approval share and delay appear
    main.composer.send()
    control.frame()
    control.shot("03_main_orders")
    main.mouse = main.bar_tips[3][0].center          # a tooltip: what the treasury is
    main.update(0.0)
    control.shot_tip = True
    control.shot("03b_tooltip")
    control.shot_tip, main.mouse = False, (-1, -1)
    shot_tabs, resolving_shot, chart_shot = False, False, False
    while control.scene.name != "after_action" and control.running:
        if control.scene.name == "handover":
            control.shot("10_handover")
            control.scene.reveal()
        elif control.scene.name == "main" and not main.resolver:
            if control.game.turn >= 1 and not shot_tabs:
                shoot_tabs(control, main)
                shot_tabs = True
            if control.game.turn >= max(1, control.game.turns - 1) and not chart_shot:
                main.set_tab("markets")                 # the chart once it has a few turns
                main.board.good = "gallium"
                control.frame()
                control.shot("06b_main_markets_chart")
                main.set_tab("orders")
                chart_shot = True
            main.end_turn()
        elif main.resolver and not resolving_shot and main.resolver.progress[0] >= 2:
            control.shot("04_resolving")
            resolving_shot = True
        control.frame()
    scene = control.scene
    while scene.builder is not None and control.running:     # the report builds on a worker thread
        control.frame()
    control.frame()
    control.shot("12_after_action")
    scene.show("questions")
    control.frame()
    control.shot("13_after_action_questions")


def shoot_tabs(control: Control, main) -> None:
    """After a turn: the board with China selected, then each tab, the menu and help."""
    main.selected = "CN"
    for i, tab in enumerate(("country", "markets", "news", "scores", "facilitator")):
        main.set_tab(tab)
        control.frame()
        control.shot(f"{5 + i:02d}_main_{tab}")
    main.set_tab("orders")
    control.frame()
    control.shot("11_main_after_a_turn")               # the board now carries last turn's trade
    main.open_menu()
    control.frame()
    control.shot("11a_menu")
    control.scene.help()
    control.frame()
    control.shot("11b_help")
    control.scene.back()
    control.frame()


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"--size {text!r}: expected WIDTHxHEIGHT, e.g. 1280x800") from None
    if w < 1280 or h < 800:
        raise ValueError(f"--size {text!r}: the window must be at least 1280x800 (the screens are laid out for it)")
    return w, h


def main(args) -> int:
    if not has_display():
        print(DISPLAY_MESSAGE, file=sys.stderr)
        return 2
    from game.seat_specs import seat_policies
    from game.rules import RulesError, load_scenario
    try:
        seats = seat_policies(load_scenario(str(args.scenario)), args.seat)   # the parser of `run --seat`
        size = parse_size(args.size) if args.size else None          # None: the size in the settings
    except (RulesError, ValueError) as exc:
        print(f"chokepoint play: error: {exc}", file=sys.stderr)
        return 2
    import pygame
    pygame.init()
    try:
        control = Control(scenario=str(args.scenario), seed=args.seed, humans=[], size=size,
                          fullscreen=True if args.fullscreen else None, demo_turns=args.demo or 0,
                          screenshots=args.screenshots, seats=seats, load=args.load,
                          save_path=(args.load or (Path(tempfile.gettempdir()) / "chokepoint_demo.save"
                                                   if args.demo else None)))
        if args.demo:
            play_demo(control)
        else:
            control.run()
    finally:
        pygame.quit()
    return 0

"""The `chokepoint` command.

    chokepoint run --scenario baseline_2025 --seed 1 [--turns T] [--orders FILE] [--out DIR]
    chokepoint validate FILE...
    chokepoint replay SAVE
    chokepoint resume SAVE [--turns N] [--seat X=POLICY] [--out DIR]
    chokepoint report SAVE --out DIR
    chokepoint scenarios
    chokepoint actions
    chokepoint policies
    chokepoint tournament --scenario S --policies a,b --seats CN,US [--seeds N] [--turns T]
                          [--workers W] [--root-seed R] [--out DIR] [--quiet]
    chokepoint batch EXP.yaml --out DIR [--workers N] [--scheduler ADDRESS | --scheduler-file FILE
                     | --local-cluster] [--chunk-seconds S] [--quiet]
    chokepoint serve --seats US,CN,EU,JP [--scenario S] [--seed N] [--load SAVE] [--port P]
                     [--turn-timer SECONDS] [--out DIR]
    chokepoint join HOST:PORT --token T
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from game.seat_specs import seat_policies  # noqa: F401  (the parser of --seat; game.ui uses it too)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="chokepoint", description="Chokepoint: the critical-minerals strategy game.")
    sub = p.add_subparsers(metavar="COMMAND")

    run = sub.add_parser("run", help="play one headless game with AI in every seat and print a summary")
    run.add_argument("--scenario", default="baseline_2025", help="scenario name or path (default baseline_2025)")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--turns", type=int, help="stop after this many turns (default: the scenario's)")
    run.add_argument("--orders", type=Path, help="YAML list of {turn, seat, orders: [text, ...]}")
    run.add_argument("--seat", action="append", default=[], metavar="SEAT=POLICY",
                     help="policy for a seat (CN=hawk), or for every seat of a role kind "
                     "(firm=expander, middle=hedging:easy); repeatable, later ones win")
    run.add_argument("--out", type=Path, help="write turns.parquet, orders.csv and game.save here")
    run.add_argument("--quiet", action="store_true", help="print only the final digest")
    run.add_argument("--report", action="store_true", help="with --out: also write the after-action report there")
    run.set_defaults(func=cmd_run)

    res = sub.add_parser("resume", help="continue a saved game (it plays on as if it had never stopped)")
    res.add_argument("save", type=Path)
    res.add_argument("--turns", type=int, help="play this many more turns (default: to the game's end)")
    res.add_argument("--seat", action="append", default=[], metavar="SEAT=POLICY",
                     help="hand a seat (or a role kind) to a policy from now on; repeatable")
    res.add_argument("--out", type=Path, help="write the outputs here, autosaving every turn "
                     "(default: the save is updated where it is)")
    res.set_defaults(func=cmd_resume)

    aar = sub.add_parser("report", help="write the after-action report of a save: HTML page and charts")
    aar.add_argument("save", type=Path)
    aar.add_argument("--out", type=Path, required=True, help="folder for report.html and the PNGs")
    aar.set_defaults(func=cmd_report)

    val = sub.add_parser("validate", help="check ruleset, map and scenario files")
    val.add_argument("paths", nargs="+", type=Path)
    val.set_defaults(func=cmd_validate)

    rep = sub.add_parser("replay", help="replay a save and check every turn's digest")
    rep.add_argument("save", type=Path)
    rep.set_defaults(func=cmd_replay)

    sc = sub.add_parser("scenarios", help="list the bundled scenarios")
    sc.set_defaults(func=cmd_scenarios)

    act = sub.add_parser("actions", help="list the orders and their parameters")
    act.set_defaults(func=cmd_actions)

    play = sub.add_parser("play", help="open the game window and play a side (needs a screen)")
    play.add_argument("--scenario", default="baseline_2025", help="scenario name or path (default baseline_2025)")
    play.add_argument("--seed", type=int, default=0)
    play.add_argument("--seat", action="append", default=[], metavar="SEAT=human|POLICY",
                      help="US=human for a seat a person plays (repeatable: hot seat), CN=hawk for an AI")
    play.add_argument("--load", type=Path, help="continue a saved game")
    play.add_argument("--fullscreen", action="store_true")
    play.add_argument("--size", help="window size WxH (default: as in the settings, else 1280x800)")
    play.add_argument("--demo", type=int, metavar="N", help="play N turns by itself through the window")
    play.add_argument("--screenshots", type=Path, metavar="DIR", help="with --demo: a PNG of each scene here")
    play.set_defaults(func=cmd_play)

    pol = sub.add_parser("policies", help="list the registered AI policies and their traits")
    pol.set_defaults(func=cmd_policies)

    tour = sub.add_parser("tournament", help="play every assignment of policies to seats over many seeds",
                          description="Play every assignment of the listed policies to the chosen seats "
                          "(each policy only in seats its traits allow) over N seeds, in parallel, and "
                          "print each (seat, policy)'s mean score against the status-quo game with a "
                          "Student-t 95%% confidence interval.")
    tour.add_argument("--scenario", default="baseline_2025", help="scenario name or path (default baseline_2025)")
    tour.add_argument("--policies", required=True, help="comma-separated policy names")
    tour.add_argument("--seats", required=True, help="comma-separated seats (countries or firms)")
    tour.add_argument("--seeds", type=int, default=8, help="seeds per assignment (default 8)")
    tour.add_argument("--turns", type=int, help="turns per game (default: the scenario's)")
    tour.add_argument("--workers", type=int, help="worker processes (default: the number of CPUs)")
    tour.add_argument("--root-seed", type=int, default=0, help="the game seeds derive from this (default 0)")
    tour.add_argument("--out", type=Path, help="write runs.csv, runs.parquet and summary.csv here")
    tour.add_argument("--quiet", action="store_true", help="no progress bar")
    tour.set_defaults(func=cmd_tournament)

    from game.batch.cli import add_batch_parser
    add_batch_parser(sub)
    from game.net.cli import add_net_parsers       # websockets only when serving or joining
    add_net_parsers(sub)
    return p


def _fail(message: str) -> int:
    print(f"chokepoint: error: {message}", file=sys.stderr)
    return 2


def cmd_play(args) -> int:
    # no sound in the game: keep SDL off the sound card (without one, ALSA prints a screenful)
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from game.ui.app import main as play_main     # pygame only when playing
    return play_main(args)


def cmd_run(args) -> int:
    from game.rules import RulesError, load_scenario
    from game.scripts import ScriptError, load_orders_script
    try:
        scenario = load_scenario(str(args.scenario))
    except RulesError as exc:
        return _fail(str(exc))
    if args.turns is not None and args.turns < 1:
        return _fail("--turns must be at least 1")
    if args.seed < 0:
        return _fail("--seed must be a whole number from 0 up")
    try:
        seats = seat_policies(scenario, args.seat)
    except ValueError as exc:
        return _fail(str(exc))
    try:
        script = load_orders_script(args.orders, scenario) if args.orders else {}
    except ScriptError as exc:
        return _fail(str(exc))
    from agents.policies import PolicyError
    from game.api import Game
    try:
        game = Game(scenario, seed=args.seed, seats=seats, turns=args.turns)
    except (ValueError, PolicyError) as exc:
        return _fail(str(exc))

    from game.session import SAVE_NAME, play_out
    play_out(game, script=script, autosave=args.out / SAVE_NAME if args.out else None)
    return finish(game, args, scripted=bool(script))


def finish(game, args, *, scripted: bool) -> int:
    """Summary, outputs and (with --report) the report of a game played by run or resume."""
    from game.summary import print_summary
    if args.quiet:
        print(game.digest())
    else:
        print_summary(game, scripted=scripted)
    if args.out:
        write_outputs(game, args.out, against_baseline=scripted)
        if not args.quiet:
            print(f"\nwrote {args.out / 'turns.parquet'}, {args.out / 'orders.csv'} and {args.out / 'game.save'}")
        if getattr(args, "report", False):
            from game.session import write_report
            page = write_report(game, args.out)
            print(f"wrote the after-action report: open {page} in a browser")
        elif not args.quiet:
            print(f"for the after-action report: chokepoint report {args.out / 'game.save'} --out {args.out}"
                  f"  (then open {args.out / 'report.html'})")
    return 0


def script_seats(script) -> set[str]:
    return {seat for items in script.values() for seat, _ in items}


def write_outputs(game, out: Path, *, against_baseline: bool = False) -> None:
    """turns.parquet (long-form metrics), orders.csv (every order and its fate) and game.save.
    With `against_baseline`, the metrics also hold each seat's score minus the score of the
    status-quo game (same scenario and seed, every seat on its default AI)."""
    import csv

    import pyarrow.parquet as pq

    from game.save import write_save
    out.mkdir(parents=True, exist_ok=True)
    table = game.metrics()
    if against_baseline:
        table = with_score_vs_baseline(game, table)
    tmp = out / ".turns.parquet.tmp"
    pq.write_table(table, tmp, compression="zstd")
    tmp.replace(out / "turns.parquet")
    with open(out / "orders.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["turn", "seat", "order", "result", "reason"])
        m = game.model
        rows = [(t, s, text, "accepted", "") for t, s, text in m.accepted]
        rows += [(t, s, text, "rejected", why) for t, s, text, why in m.rejections]
        w.writerows(sorted(rows, key=lambda r: (r[0], r[1])))
    write_save(game, out / "game.save")


def with_score_vs_baseline(game, table):
    import numpy as np
    import pyarrow as pa
    base = game.baseline().model.log.turns
    rows = {"turn": [], "entity": [], "good": [], "metric": [], "value": []}
    ids = game.model.countries.ids
    for snap, ref in zip(game.model.log.turns, base):
        diff = snap["country"]["score"] - ref["country"]["score"]
        rows["turn"] += [snap["turn"]] * len(ids)
        rows["entity"] += list(ids)
        rows["good"] += [""] * len(ids)
        rows["metric"] += ["score_vs_baseline"] * len(ids)
        rows["value"] += list(np.asarray(diff, dtype=float))
    extra = pa.table({"turn": pa.array(rows["turn"], pa.int32()),
                      "entity": pa.array(rows["entity"], pa.string()).dictionary_encode(),
                      "good": pa.array(rows["good"], pa.string()).dictionary_encode(),
                      "metric": pa.array(rows["metric"], pa.string()).dictionary_encode(),
                      "value": pa.array(rows["value"], pa.float64())})
    return pa.concat_tables([table.cast(extra.schema), extra])


def cmd_validate(args) -> int:
    from game.rules import validate_paths
    errors = validate_paths([str(p) for p in args.paths])
    if errors:
        for err in errors:
            print(err, file=sys.stderr)
        return 1
    for p in args.paths:
        print(f"{p}: ok")
    return 0


def cmd_replay(args) -> int:
    from game.save import SaveError, load_game
    try:
        game = load_game(args.save)
    except SaveError as exc:
        return _fail(str(exc))
    print(f"{args.save}: {game.turn} turns replayed, every digest matches; final digest {game.digest()}")
    return 0


def cmd_resume(args) -> int:
    from agents.policies import PolicyError
    from game.save import SaveError
    from game.api import Game
    from game.session import SAVE_NAME, extend, human_seats, play_out
    if args.turns is not None and args.turns < 1:
        return _fail("--turns must be at least 1")
    try:
        game = Game.load(args.save)
        for seat, policy in seat_policies(game.scenario, args.seat).items():
            game.set_policy(seat, policy)
    except (SaveError, ValueError, PolicyError) as exc:       # a bad save, seat or policy
        return _fail(str(exc))
    extend(game, args.turns)
    if game.over:
        return _fail(f"{args.save}: the game is over (turn {game.turn} of {game.turns}); nothing to resume")
    if human_seats(game):
        print(f"note: {', '.join(human_seats(game))} are played by people and give no orders here; "
              "--seat SEAT=POLICY hands them to an AI", file=sys.stderr)
    start = game.turn
    play_out(game, turns=args.turns, autosave=(args.out / SAVE_NAME) if args.out else args.save)
    print(f"{args.save}: resumed at turn {start}, played to turn {game.turn} of {game.turns}; "
          f"final digest {game.digest()}")
    if args.out:
        write_outputs(game, args.out)
        print(f"wrote {args.out / 'turns.parquet'}, {args.out / 'orders.csv'} and {args.out / 'game.save'}")
    return 0


def cmd_report(args) -> int:
    from game.save import SaveError
    from game.session import write_report
    try:
        from game.api import Game
        game = Game.load(args.save)
    except SaveError as exc:
        return _fail(str(exc))
    if game.turn == 0:
        return _fail(f"{args.save}: the game has not played a turn yet: nothing to report")
    page = write_report(game, args.out)
    print(f"wrote {page} and its charts ({', '.join(p.name for p in sorted(args.out.glob('*.png')))}); "
          f"open {page} in a browser (it needs no network)")
    return 0


def cmd_scenarios(args) -> int:
    from game.rules import available_scenarios, load_scenario
    for name in available_scenarios():
        sc = load_scenario(name)
        print(f"{name:28s} {sc.title or ''}")
    return 0


def cmd_actions(args) -> int:
    from game.orders import describe_actions
    for action, signature, doc in describe_actions():
        print(f"{action} {signature}\n    {doc}")
    return 0


def cmd_policies(args) -> int:
    from agents.policies import REGISTRY, Traits
    rows = []
    for name in sorted(REGISTRY):
        cls = REGISTRY[name]
        t = getattr(cls, "traits", Traits(roles=()))
        doc = (getattr(cls, "description", "") or (cls.__doc__ or "").strip()).splitlines()
        rows.append((name, ",".join(t.roles) or "any", f"{t.aggressiveness:.2f}",
                     "yes" if t.stochastic else "no", doc[0] if doc else ""))
    head = ("policy", "roles", "aggr", "stoch", "description")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    for r in [head, *rows]:
        print("  ".join([r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].rjust(widths[2]),
                         r[3].ljust(widths[3]), r[4]]).rstrip())
    print("\nEvery policy also plays at a difficulty level, e.g. hawk:easy: NAME:easy sees last turn's market,"
          "\nblurred prices and not others' measures, and drops a fifth of its orders; NAME:normal plays as NAME;"
          "\nNAME:hard foresees prices and demand a turn ahead. See docs/policies.md.")
    return 0


def cmd_tournament(args) -> int:
    from game.tournament import TournamentError, run_tournament
    policies = [p.strip() for p in args.policies.split(",") if p.strip()]
    seats = [s.strip() for s in args.seats.split(",") if s.strip()]
    progress = not args.quiet and sys.stderr.isatty()
    try:
        result = run_tournament(str(args.scenario), policies, seats, seeds=args.seeds, turns=args.turns,
                                workers=args.workers, root_seed=args.root_seed, progress=progress)
    except TournamentError as exc:
        return _fail(str(exc))
    n_games = len(result.assignments) * len(result.seeds)
    print(f"{result.scenario}: {len(result.assignments)} assignments x {len(result.seeds)} seeds = "
          f"{n_games} games of {result.turns} turns (+{len(result.seeds)} status-quo games), "
          f"root seed {result.root_seed}")
    print("score vs baseline: final score minus the status-quo game's (same seed, default AI everywhere);")
    print("95% CI: Student's t on the runs of each (seat, policy)\n")
    print(result.format_table())
    if args.out:
        paths = result.write(args.out)
        print(f"\nwrote {', '.join(str(p) for p in paths)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

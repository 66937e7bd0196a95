"""How the status-quo game looks next to the 2025 references: prices, shortages, output.

Plays ``baseline_2025`` with every seat on its default AI and no measure beyond the
scenario's own, for each seed, through the public API (``game.Game``), and prints per good:

* ``first``: the first turn's world-average price over the good's reference price;
* ``last4``: the same ratio, averaged over the last four turns;
* ``unmet``: the share of the demand that would pay the reference price left unmet over
  the last four turns (the shortage as the summary counts it);
* ``smooth``: the mean absolute change of the log world-average price from one half-year
  to the next, over the whole game;
* world output in the first and the last turn (the good's unit a year), and the three
  largest producers' shares of it in the last turn;

then each state's treasury over GDP at the end. Figures are means over the seeds (the
extremes over the seeds are in brackets for the price ratios). The world-average price
is the average of the countries' prices weighted by what each needs of the good that
turn (sector demand plus its plants' inputs at capacity), so a market split by a control
counts its two tiers by the buyers on each side.

    python benchmarks/status_quo.py                     # seeds 1-5
    python benchmarks/status_quo.py --seeds 1 2 --plot paths.png
    python benchmarks/status_quo.py --markdown          # the table of docs/model.md

Nothing is asserted (tests/test_calibration.py holds the bounds); the exit status is 0.
"""

from __future__ import annotations

import argparse
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

LAST = 4            # turns at the end over which ratios and shortages are averaged


def world_price(m) -> np.ndarray:
    """Per good, the countries' prices averaged by what each needs of the good this turn."""
    price = np.where(np.isfinite(m.price), m.price, np.nan)
    weight = np.maximum(m.demand_ref, 0.0)
    ok = np.isfinite(price)
    w = np.where(ok, weight, 0.0)
    tot = w.sum(axis=0)
    weighted = np.where(ok, price, 0.0) * w
    plain = np.nanmean(np.where(ok, price, np.nan), axis=0)
    return np.where(tot > 0, weighted.sum(axis=0) / np.where(tot > 0, tot, 1.0), plain)


def play(scenario, seed: int) -> dict:
    """One status-quo game: per turn the world-average price ratio, shortage, need and
    world output per good; at the end the top producers and treasury/GDP."""
    from game import Game
    from game.phases.production import needed_tranches

    game = Game(scenario, seed=seed)
    m = game.model
    tranches = m.rules.market.demand_tranches
    needed = sum(t.share for t, need in zip(tranches, needed_tranches(tranches)) if need)
    ratio, short, need, output = [], [], [], []
    for _ in range(game.turns):
        game.step()
        ratio.append(world_price(m) / m.ref_price)
        short.append(m.shortage.sum(axis=0))
        need.append(needed * m.final_demand.sum(axis=0))
        output.append(m.production.sum(axis=0) / m.turn_frac)
    world = m.production.sum(axis=0)
    top = []
    for g in range(len(m.goods)):
        order = np.argsort(-m.production[:, g], kind="stable")[:3]
        top.append([(m.countries.ids[c], float(m.production[c, g] / world[g]))
                    for c in order if world[g] > 0 and m.production[c, g] > 0])
    return {
        "goods": list(m.goods.ids),
        "years": [m.start_year + k * m.turn_frac for k in range(game.turns)],
        "ratio": np.array(ratio), "short": np.array(short), "need": np.array(need),
        "output": np.array(output), "top": top,
        "countries": list(m.countries.ids),
        "treasury_gdp": m.treasury / (m.gdp * 1000.0),       # M$ over US$B
    }


def goods_table(runs: list[dict]) -> list[dict]:
    """Per good, the figures above as means (and extremes) over the runs."""
    rows = []
    for g, good in enumerate(runs[0]["goods"]):
        first = [r["ratio"][0, g] for r in runs]
        last = [float(np.mean(r["ratio"][-LAST:, g])) for r in runs]
        unmet = [float(r["short"][-LAST:, g].sum() / r["need"][-LAST:, g].sum())
                 if r["need"][-LAST:, g].sum() > 0 else 0.0 for r in runs]
        smooth = []
        for r in runs:
            p = r["ratio"][:, g]
            p = p[np.isfinite(p) & (p > 0)]
            smooth.append(float(np.mean(np.abs(np.diff(np.log(p))))) if p.size > 1 else math.nan)
        shares: dict[str, float] = {}
        for r in runs:
            for c, s in r["top"][g]:
                shares[c] = shares.get(c, 0.0) + s / len(runs)
        top = sorted(shares.items(), key=lambda kv: -kv[1])[:3]
        rows.append({
            "good": good,
            "first": float(np.mean(first)), "first_lo": float(np.min(first)), "first_hi": float(np.max(first)),
            "last4": float(np.mean(last)), "last4_lo": float(np.min(last)), "last4_hi": float(np.max(last)),
            "unmet": float(np.mean(unmet)), "unmet_max": float(np.max(unmet)),
            "smooth": float(np.nanmean(smooth)), "smooth_max": float(np.nanmax(smooth)),
            "out_first": float(np.mean([r["output"][0, g] for r in runs])),
            "out_last": float(np.mean([r["output"][-1, g] for r in runs])),
            "top": top,
        })
    return rows


def print_text(rows: list[dict], runs: list[dict], seeds: list[int]) -> None:
    print(f"Status-quo game (baseline_2025, default AI in every seat), seeds {' '.join(map(str, seeds))}; "
          f"means over the seeds [min-max]; last4/unmet over the last {LAST} turns")
    print(f"{'good':18s} {'first':>17s} {'last4':>17s} {'unmet':>7s} {'smooth':>7s} "
          f"{'output first':>13s} {'output last':>12s}  top-3 producers (last turn)")
    for r in rows:
        top = ", ".join(f"{c} {s:.0%}" for c, s in r["top"])
        print(f"{r['good']:18s} {r['first']:5.2f} [{r['first_lo']:4.2f}-{r['first_hi']:4.2f}] "
              f"{r['last4']:5.2f} [{r['last4_lo']:4.2f}-{r['last4_hi']:4.2f}] {r['unmet']:7.1%} "
              f"{r['smooth']:7.3f} {r['out_first']:13,.1f} {r['out_last']:12,.1f}  {top}")
    tg = np.mean([r["treasury_gdp"] for r in runs], axis=0)
    tmax = np.max([r["treasury_gdp"] for r in runs], axis=0)
    print("\nTreasury / GDP at the end (mean over the seeds, max in brackets)")
    order = np.argsort(-tmax, kind="stable")
    cells = [f"{runs[0]['countries'][c]} {tg[c]:.1%} [{tmax[c]:.1%}]" for c in order]
    for k in range(0, len(cells), 6):
        print("  " + "   ".join(cells[k:k + 6]))
    print(f"  highest: {runs[0]['countries'][order[0]]} {tmax[order[0]]:.1%}")


def _qty(x: float) -> str:
    """A quantity for the table: whole numbers from 100 up, three significant digits below."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def print_markdown(rows: list[dict], seeds: list[int]) -> None:
    print(f"| Good | Price / ref., first turn | Price / ref., last {LAST} turns (seed range) | Unmet, last {LAST} turns "
          "| Mean abs. half-year log change | World output a year, first → last turn (ratio) | Top 3 producers, last turn |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        top = ", ".join(f"{c} {s:.0%}" for c, s in r["top"])
        grow = r["out_last"] / r["out_first"] if r["out_first"] > 0 else math.nan
        print(f"| {r['good']} | {r['first']:.2f} | {r['last4']:.2f} ({r['last4_lo']:.2f}–{r['last4_hi']:.2f}) "
              f"| {r['unmet']:.1%} | {r['smooth']:.3f} | {_qty(r['out_first'])} → {_qty(r['out_last'])} ({grow:.2f}) | {top} |")
    print(f"\n(status-quo game, seeds {', '.join(map(str, seeds))}; `python benchmarks/status_quo.py --markdown`)")


def plot(runs: list[dict], path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    goods = runs[0]["goods"]
    years = runs[0]["years"]
    ncol = 4
    nrow = math.ceil(len(goods) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 2.6 * nrow), squeeze=False)
    for g, good in enumerate(goods):
        ax = axes[g // ncol][g % ncol]
        out = ax.twinx()
        for r in runs:
            ax.plot(years, r["ratio"][:, g], color="tab:blue", lw=1, alpha=0.8)
            base = r["output"][0, g] if r["output"][0, g] > 0 else 1.0
            out.plot(years, r["output"][:, g] / base, color="tab:orange", lw=1, alpha=0.6)
        ax.axhspan(0.5, 2.0, color="tab:green", alpha=0.06)
        ax.axhline(1.0, color="grey", lw=0.6)
        ax.set_title(good, fontsize=9)
        ax.set_ylim(0, max(2.5, float(np.nanmax([r["ratio"][:, g] for r in runs])) * 1.05))
        out.set_ylim(0, max(2.5, float(np.nanmax([r["output"][:, g] / max(r["output"][0, g], 1e-12)
                                                  for r in runs])) * 1.05))
        ax.tick_params(labelsize=7)
        out.tick_params(labelsize=7, colors="tab:orange")
    for k in range(len(goods), nrow * ncol):
        axes[k // ncol][k % ncol].axis("off")
    fig.suptitle("Status-quo game: world-average price / reference (blue, band 0.5-2) and "
                 "world output / first turn (orange), one line per seed", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(path, dpi=80)
    print(f"\nwrote {path}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--scenario", default="baseline_2025")
    ap.add_argument("--plot", metavar="FILE", help="write the price and output paths per good to FILE (PNG)")
    ap.add_argument("--markdown", action="store_true", help="print the goods table as Markdown")
    args = ap.parse_args(argv)
    if any(s < 0 for s in args.seeds):
        ap.error("seeds must be whole numbers from 0 up")
    from game import load_scenario
    scenario = load_scenario(args.scenario)
    runs = [play(scenario, s) for s in args.seeds]
    rows = goods_table(runs)
    if args.markdown:
        print_markdown(rows, args.seeds)
    else:
        print_text(rows, runs, args.seeds)
    if args.plot:
        plot(runs, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())

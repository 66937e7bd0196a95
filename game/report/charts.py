"""The report's charts, drawn with matplotlib's Agg canvas.

Every chart is a fresh `matplotlib.figure.Figure` with its own Agg canvas, never pyplot's
global figures, so a front end may build a report from a worker thread while it draws.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from game.report.series import BLOCS, Series

DPI = 100
SPLIT_GAP = 0.25          # a market is split when its prices differ by more than this (x reference)
MARKET_COLOURS = {"US": "tab:blue", "CN": "tab:red", "EU": "tab:green", "JP": "tab:purple"}
# lines that lie on one another stay visible: the later ones are thinner and dashed
MARKET_STYLES = {"US": ("-", 2.6), "CN": ("-", 2.0), "EU": ("--", 1.6), "JP": (":", 1.6)}
OTHER_COLOURS = ("tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan", "tab:gray")
BLOC_COLOURS = {1: "tab:blue", 0: "tab:gray", -1: "tab:red"}


def new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def _turn_axis(ax, s: Series, *, label: bool = True) -> None:
    ax.set_xlim(s.turns[0] - 0.5, s.turns[-1] + 0.5)
    if label:
        ax.set_xlabel("turn (6 months each)" if s.turn_frac == 0.5 else "turn")
    ax.grid(True, alpha=0.3)


def price_goods(s: Series, limit: int = 6) -> list[int]:
    """The goods worth a price panel: those under a control that began or ended in the game
    or whose markets split, then those whose price moved most, up to `limit`."""
    ratio = s.ratio()
    rows = s.market_rows()
    spread = ratio[:, rows, :].max(axis=1) - ratio[:, rows, :].min(axis=1)     # (T, G)
    changed = {s.goods.index(c.good) for c in s.controls if not (c.from_start and c.to_end)}
    split = set(np.flatnonzero(spread.max(axis=0) > SPLIT_GAP).tolist())
    move = np.abs(ratio[:, rows, :] - ratio[:1, rows, :]).max(axis=(0, 1))
    first = sorted(changed | split, key=lambda g: (g not in changed, -spread[:, g].max()))
    rest = [int(g) for g in np.argsort(-move, kind="stable") if g not in first]
    return (first + rest)[:limit]


def prices_figure(s: Series) -> Figure:
    goods = price_goods(s)
    cols = 2
    rows_n = (len(goods) + cols - 1) // cols
    fig = new_figure(11, 3.1 * rows_n)
    axes = fig.subplots(rows_n, cols, squeeze=False, sharex=True)
    ratio = s.ratio()
    for ax, g in zip(axes.flat, goods):
        gid = s.goods[g]
        low, high = ratio[:, :, g].min(axis=1), ratio[:, :, g].max(axis=1)
        ax.fill_between(s.turns, low, high, color="0.85", label="range over all countries")
        for c in s.market_rows():
            code = s.countries[c]
            style, width = MARKET_STYLES.get(code, ("-", 1.5))
            ax.plot(s.turns, ratio[:, c, g], style, lw=width, marker=".", color=MARKET_COLOURS.get(code), label=code)
        _control_bars(ax, s, gid)
        ax.set_title(f"{gid} (reference {s.ref_price[g]:.3g} M$ per {s.units[gid]})", fontsize=10)
        ax.set_ylabel("price / reference")
        _turn_axis(ax, s, label=ax in axes[-1])
    for ax in list(axes.flat)[len(goods):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=9)
    fig.suptitle("Prices by market: where the lines part, a control kept goods from one side", fontsize=12)
    return fig


def _control_bars(ax, s: Series, good: str) -> None:
    """Bars along the bottom of a price panel for the turns each control on the good bound."""
    spans = [c for c in s.controls if c.good == good]
    if not spans:
        return
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo - (hi - lo) * 0.16 * len(spans), hi)        # room under the lines for the bars
    for k, span in enumerate(spans):
        y = 0.03 + 0.09 * k
        colour = "tab:red" if span.mode == "ban" else "tab:orange"
        ax.broken_barh([(span.first - 0.5, span.last - span.first + 1)], (y, 0.06), transform=trans,
                       color=colour, alpha=0.6)
        begun = "from start" if span.from_start else f"t{span.first}"
        ended = "" if span.to_end else f"-t{span.last}"
        ax.text(s.turns[0] - 0.3, y + 0.03, f"{span.label} ({begun}{ended})", transform=trans,
                va="center", fontsize=7)


def dependence_figure(s: Series, top: int = 10) -> Figure:
    """Heat maps of each big consumer's share of use from the rival bloc, first and last turn."""
    goods = [g for g, gid in enumerate(s.goods) if s.stage[gid] != "ore"]
    use = (s.consumption[-1] * s.price[-1]).sum(axis=1)
    countries = [int(c) for c in np.argsort(-use, kind="stable")[:top]]
    fig = new_figure(12, 0.45 * len(countries) + 2.6)
    axes = fig.subplots(1, 2, sharey=True)
    image = None
    for ax, idx, when in ((axes[0], 0, "first"), (axes[1], -1, "last")):
        data = s.rival_share[idx][np.ix_(countries, goods)] * 100
        image = ax.imshow(data, vmin=0, vmax=100, cmap="Reds", aspect="auto")
        ax.set_xticks(range(len(goods)), [s.goods[g] for g in goods], rotation=60, ha="right", fontsize=8)
        ax.set_yticks(range(len(countries)), [s.countries[c] for c in countries])
        ax.set_title(f"{when} turn (t{int(s.turns[idx])}, {s.years[idx]:.1f})", fontsize=10)
        for (i, j), v in np.ndenumerate(data):
            if v >= 5:
                ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=7,
                        color="white" if v > 60 else "black")
    axes[0].set_ylabel("country (largest consumers)")
    fig.colorbar(image, ax=axes, label="% of use supplied by the rival bloc", shrink=0.9)
    fig.suptitle("Dependence on the rival bloc per processed good", fontsize=12)
    return fig


def flows_figure(s: Series) -> Figure:
    """Value of trade between blocs each turn, at the exporter's price, in US$B a year."""
    blocs = s.blocs()
    fig = new_figure(11, 4.2)
    ax = fig.subplots()
    for src in (1, 0, -1):
        for dst in (1, 0, -1):
            if src == dst:
                continue
            vals = [s.flow_value[t][np.ix_(blocs[t] == src, blocs[t] == dst)].sum() for t in range(len(s.turns))]
            vals = np.asarray(vals) / s.turn_frac / 1000.0
            style = "-" if 0 not in (src, dst) else "--"
            ax.plot(s.turns, vals, style, marker=".", color=BLOC_COLOURS[src],
                    label=f"{BLOCS[src]} -> {BLOCS[dst]}", alpha=1.0 if style == "-" else 0.7)
    ax.set_ylabel("trade value, US$ billion a year")
    ax.set_ylim(bottom=0)
    _turn_axis(ax, s)
    ax.legend(fontsize=8, ncols=3, loc="upper left")
    ax.set_title("Trade between blocs in critical minerals (solid: between the rival blocs)", fontsize=11)
    return fig


def facilities_figure(s: Series) -> Figure:
    """Capacity built and standing idle: per good, relative to its operating capacity at the start."""
    cap = s.capacity_status                     # (T, 4, G)
    start = np.maximum(cap[0, 0], 1e-9)
    fig = new_figure(12, 7.5)
    top, bottom = fig.subplots(2, 1)
    x = np.arange(len(s.goods))
    change = (cap[-1, 0] - cap[0, 0]) / start * 100
    building = cap[-1, 2] / start * 100
    idle = cap[-1, 1] / start * 100
    top.bar(x - 0.27, change, 0.27, color="tab:green", label="change in operating capacity")
    top.bar(x, building, 0.27, color="tab:blue", label="under construction at the end")
    top.bar(x + 0.27, idle, 0.27, color="tab:gray", label="idle at the end")
    top.axhline(0, color="black", lw=0.8)
    top.set_xticks(x, s.goods, rotation=60, ha="right", fontsize=8)
    top.set_ylabel("% of the good's operating\ncapacity at the start")
    top.set_title(f"Build-out from t{int(s.turns[0])} to t{int(s.turns[-1])}", fontsize=10)
    top.legend(fontsize=8, loc="upper right")
    top.grid(True, axis="y", alpha=0.3)
    total = np.maximum(cap[:, 0] + cap[:, 1], 1e-9)
    idle_share = cap[:, 1] / total * 100
    shown = [g for g in np.argsort(-idle_share.max(axis=0), kind="stable")[:6] if idle_share[:, g].max() > 0.5]
    for g in shown:
        bottom.plot(s.turns, idle_share[:, g], marker=".", label=s.goods[g])
    if not shown:
        bottom.text(0.5, 0.5, "no good had more than 0.5% of its capacity idle", transform=bottom.transAxes,
                    ha="center", va="center")
    bottom.set_ylabel("idle capacity, % of\nthe good's capacity")
    bottom.set_ylim(bottom=0)
    bottom.set_title("Idle capacity over time (the goods with the most)", fontsize=10)
    _turn_axis(bottom, s)
    if shown:
        bottom.legend(fontsize=8, ncols=3, loc="upper left")
    fig.suptitle("Facility build-out and idle capacity", fontsize=12)
    return fig


def shortages_figure(s: Series) -> Figure:
    """Output lost to input shortages, per sector worldwide, and per country and sector."""
    lost = s.sector_lost                         # (T, C, S) US$B a year
    fig = new_figure(12, 4.6)
    left, right = fig.subplots(1, 2, width_ratios=[3, 2])
    world = lost.sum(axis=1)
    for k, sector in enumerate(s.sectors):
        left.plot(s.turns, world[:, k], marker=".", label=sector)
    left.set_ylabel("output lost, US$ billion a year")
    left.set_ylim(bottom=0)
    left.set_title("Worldwide, by sector", fontsize=10)
    _turn_axis(left, s)
    left.legend(fontsize=8, ncols=2, loc="upper left")
    total = lost.sum(axis=0) * s.turn_frac       # US$B lost over the game
    countries = [int(c) for c in np.argsort(-total.sum(axis=1), kind="stable")[:8]]
    data = total[countries]
    image = right.imshow(data, cmap="Oranges", aspect="auto", vmin=0)
    right.set_xticks(range(len(s.sectors)), s.sectors, rotation=45, ha="right", fontsize=8)
    right.set_yticks(range(len(countries)), [s.countries[c] for c in countries])
    right.set_title("Lost over the game, the worst-hit countries", fontsize=10)
    fig.colorbar(image, ax=right, label="US$ billion")
    fig.suptitle("Shortages: sector output lost for want of inputs", fontsize=12)
    return fig


def scores_figure(s: Series) -> Figure:
    """Each country's score minus the status-quo game's, over time and by role at the end."""
    diff = s.score - s.base_score                # (T, C)
    fig = new_figure(12, 4.6)
    left, right = fig.subplots(1, 2, width_ratios=[3, 2])
    final = diff[-1]
    shown = [c for c in np.argsort(-np.abs(np.nan_to_num(final)), kind="stable")[:6]]
    for code in ("US", "CN"):
        if code in s.countries and s.countries.index(code) not in shown:
            shown.append(s.countries.index(code))
    others = iter(OTHER_COLOURS)
    for c in shown:
        code = s.countries[c]
        great = code in ("US", "CN")
        left.plot(s.turns, diff[:, c], marker=".", lw=2.4 if great else 1.3, label=f"{code} ({s.role[c]})",
                  color=MARKET_COLOURS[code] if great else next(others))
    left.axhline(0, color="black", lw=0.8)
    left.set_ylabel("score minus status-quo game's (0-1 scale)")
    left.set_title("The countries that moved most, and the great powers", fontsize=10)
    _turn_axis(left, s)
    left.legend(fontsize=8, ncols=2)
    roles = sorted(set(s.role))
    for k, role in enumerate(roles):
        members = [c for c, r in enumerate(s.role) if r == role]
        vals = np.nan_to_num(final[members])
        right.bar(k, vals.mean(), 0.6, color="tab:blue", alpha=0.5, label="mean" if k == 0 else None)
        right.scatter(np.full(len(vals), k), vals, s=12, color="black", zorder=3,
                      label="one country" if k == 0 else None)
    right.axhline(0, color="black", lw=0.8)
    right.set_xticks(range(len(roles)), [r.replace("_", " ") for r in roles], rotation=20, ha="right")
    right.set_ylabel("final score minus status quo")
    right.set_title(f"By role at the end (t{int(s.turns[-1])})", fontsize=10)
    right.legend(fontsize=8)
    right.grid(True, axis="y", alpha=0.3)
    fig.suptitle("Scores against the status-quo game (same seed, every seat on its default AI)", fontsize=12)
    return fig


# key, title, function, caption
CHARTS = (
    ("prices", "Prices and split markets", prices_figure,
     "Price as a multiple of the 2025 reference in the US, China, EU and Japan, with the range over all "
     "countries shaded; bars along the bottom show the turns each export control on the good bound."),
    ("dependence", "Dependence on the rival bloc", dependence_figure,
     "Share of each large consumer's use of a processed good that came from the other bloc "
     "(alignment beyond +-0.3), in the first and the last turn."),
    ("flows", "Trade between blocs", flows_figure,
     "Value of all shipments between blocs, at the exporter's price; blocs as each turn's alignments set them."),
    ("facilities", "Facility build-out and idle capacity", facilities_figure,
     "Per good: change in operating capacity, capacity under construction and idle at the end, each as a "
     "share of the operating capacity at the start; below, idle capacity over time."),
    ("shortages", "Shortages by sector", shortages_figure,
     "Sector output lost because a critical input was short (the scarcest input sets the pace)."),
    ("scores", "Scores against the status quo", scores_figure,
     "Score minus the score of the status-quo game of the same scenario and seed at the same turn."),
)

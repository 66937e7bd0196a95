"""The debrief: the game's key moments found from its record, as questions for a class.

Each finder looks for one kind of moment (a ban that split a market, the seat whose score
moved most, a build that paid off or failed, a shortage that hit a sector) and, when the
game had one, writes a question with the figures behind it. The timeline lists the
decisive orders and the events, turn by turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from game.report.charts import SPLIT_GAP
from game.report.series import Series

# orders that change the board for others; the rest (stockpiling, subsidies, ...) stay off the timeline
DECISIVE = ("export_control", "lift_control", "suspend_control", "chip_control", "tech_control", "tariff",
            "ore_export_ban", "nationalize", "price_floor", "producer_quota", "governance_standard",
            "build", "close", "relocate", "accept_deal", "equity_stake")

FIRM_ROUTINE = ("build", "close")
# a control imposed during the game is asked about once its two sides' prices differ by this
# much (x reference); one in force from the start needs a split as the summary counts one
NEW_CONTROL_GAP = 0.1


@dataclass
class Question:
    """A question an instructor can ask, the figures behind it and the chart to look at."""
    text: str
    evidence: list[str] = field(default_factory=list)
    figure: str = ""


def questions(game, s: Series) -> list[Question]:
    found = [finder(game, s) for finder in (ban_split, score_mover, build_outcome, sector_shortage)]
    return [q for q in found if q is not None]


def _when(s: Series, turn: int) -> str:
    return f"turn {turn} ({s.year(turn):.1f})"


def ban_split(game, s: Series) -> Question | None:
    """The control whose markets split widest: when the split began and the gap it made."""
    ratio = s.ratio()
    best = None
    for span in s.controls:
        g = s.goods.index(span.good)
        i = s.countries.index(span.issuer)
        targets = _target_rows(game, span.target, i)
        if not targets:
            continue
        window = slice(int(np.searchsorted(s.turns, span.first)), int(np.searchsorted(s.turns, span.last)) + 1)
        gap = ratio[window, targets, g].max(axis=1) - ratio[window, i, g]
        k = int(np.argmax(gap))
        rank = (not span.from_start, float(gap[k]))          # a control begun in the game first
        enough = NEW_CONTROL_GAP if not span.from_start else SPLIT_GAP
        if gap[k] > enough and (best is None or rank > best[0]):
            split_at = int(s.turns[window][int(np.argmax(gap > enough))])
            best = (rank, span, g, i, targets, int(s.turns[window][k]), split_at)
    if best is None:
        return None
    _rank, span, g, i, targets, peak, split_at = best
    t = int(np.searchsorted(s.turns, peak))
    worst = targets[int(np.argmax(ratio[t, targets, g]))]
    started = "was in force from the start" if span.from_start else f"began at {_when(s, span.first)}"
    text = (f"{span.issuer}'s {span.mode} on {span.good} exports to {span.target} {started}; the market had split "
            f"by {_when(s, split_at)}, and at {_when(s, peak)} {s.countries[worst]} paid {ratio[t, worst, g]:.2f}x the "
            f"reference price while {span.issuer} paid {ratio[t, i, g]:.2f}x. Who gained from the gap, who paid "
            f"for it, and what could the target do about it?")
    big = sorted(targets, key=lambda c: -s.demand[t, c, g])[:3]       # the target's largest buyers
    evidence = [f"{span.good} price in {s.countries[c]}: {ratio[t, c, g]:.2f} x reference "
                f"({s.price[t, c, g]:.3g} M$ per {s.units[span.good]}) at turn {peak}"
                for c in dict.fromkeys([i, worst, *big])]
    evidence.append(f"control bound from turn {span.first} to turn {span.last}")
    return Question(text, evidence, "prices")


def _target_rows(game, target: str, issuer: int) -> list[int]:
    rows = game.model.expand_targets(target)
    return [int(r) for r in rows if r != issuer]


def score_mover(game, s: Series) -> Question | None:
    """The country whose score ended furthest from the status quo, and the order before its biggest move."""
    diff = np.nan_to_num(s.score - s.base_score)
    c = int(np.argmax(np.abs(diff[-1])))
    if abs(diff[-1, c]) < 1e-3:
        return None
    code = s.countries[c]
    steps = np.diff(np.concatenate([[0.0], diff[:, c]]))
    k = int(np.argmax(np.abs(steps)))
    turn = int(s.turns[k])
    orders = [text for t, seat, text in game.model.accepted if seat == code and turn - 2 <= t <= turn]
    decisive = [o for o in orders if o.split(" ", 1)[0] in DECISIVE] or orders
    because = f"; its orders just before: {'; '.join(decisive[:3])}" if decisive else \
        "; it gave no order then, so the move came from others' actions or events"
    text = (f"{code} ({s.role[c].replace('_', ' ')}) ended {diff[-1, c]:+.3f} against the status-quo game, the largest "
            f"change of any seat. Its biggest one-turn move ({steps[k]:+.3f}) came at {_when(s, turn)}{because}. "
            f"Was that move a choice that paid, or something done to {code}?")
    evidence = [f"{code} score {s.score[-1, c]:.3f}, status quo {s.base_score[-1, c]:.3f} at turn {int(s.turns[-1])}",
                f"move at turn {turn}: {steps[k]:+.3f}"]
    evidence += [f"order: {o}" for o in decisive[:3]]
    return Question(text, evidence, "scores")


def build_outcome(game, s: Series) -> Question | None:
    """The facility built during the game that earned most (or lost most) for its capex."""
    fac = game.model.fac
    built = np.flatnonzero(fac.col("built_turn") > 0)
    if not len(built):
        return None
    profit = np.zeros(len(fac))
    output = np.zeros(len(fac))
    for out, prof in zip(s.fac_output, s.fac_profit):
        profit[: len(prof)] += prof
        output[: len(out)] += out
    capex = np.maximum(fac.col("capex_value"), 1e-9)
    score = profit[built] / capex[built]
    producing = built[output[built] > 0]
    pick = built[int(np.argmax(np.abs(score)))] if not len(producing) else \
        producing[int(np.argmax(np.abs(profit[producing] / capex[producing])))]
    from game.facilities import STATUS_NAMES
    fid = fac.ids[pick]
    owner = fac.owner_name(pick, game.model.firms, game.model.countries)
    good = s.goods[int(fac.col("good")[pick])]
    where = s.countries[int(fac.col("country")[pick])]
    verdict = "paid off" if profit[pick] > 0 else "lost money"
    status = STATUS_NAMES[int(fac.col("status")[pick])]
    text = (f"{owner} built {fid} ({good} in {where}) at {_when(s, int(fac.col('built_turn')[pick]))}. By the end it "
            f"had {verdict}: {profit[pick]:+,.0f} M$ over the game against {capex[pick]:,.0f} M$ of capital, and it "
            f"stands {status}. What made it {'pay' if profit[pick] > 0 else 'fail'}: prices, a control, or its place?")
    evidence = [f"capacity {fac.col('capacity')[pick]:.3g} {s.units[good]} a year, status {status}",
                f"output over the game {output[pick]:.3g} {s.units[good]}",
                f"operating profit over the game {profit[pick]:+,.0f} M$; capital {capex[pick]:,.0f} M$"]
    return Question(text, evidence, "facilities")


def sector_shortage(game, s: Series) -> Question | None:
    """The worst single turn of lost output in one country's sector, and the input behind it."""
    lost = s.sector_lost
    t, c, k = np.unravel_index(int(np.argmax(lost)), lost.shape)
    if lost[t, c, k] <= 1e-6:
        return None
    m = game.model
    uses = np.flatnonzero(m.intensity[c, k] > 0)
    need = np.maximum(s.demand[t, c, uses], 1e-12)
    short = s.shortage[t, c, uses] / need
    g = int(uses[int(np.argmax(short))]) if len(uses) else None
    code, sector, turn = s.countries[c], s.sectors[k], int(s.turns[t])
    cause = f" for want of {s.goods[g]} ({short.max():.0%} of its demand unmet)" if g is not None else ""
    text = (f"At {_when(s, turn)} {code}'s {sector} sector lost {lost[t, c, k]:,.1f} US$ billion a year of output"
            f"{cause}. Could {code} have seen it coming, and what would have protected it: stockpiles, "
            f"other suppliers, or a deal?")
    evidence = [f"{code} {sector}: {lost[t, c, k]:,.1f} US$B a year lost at turn {turn}",
                f"over the game: {lost[:, c, k].sum() * s.turn_frac:,.1f} US$B"]
    if g is not None:
        evidence.append(f"{s.goods[g]} in {code}: shortage {s.shortage[t, c, g]:.3g} of demand "
                        f"{s.demand[t, c, g]:.3g} {s.units[s.goods[g]]} in the turn")
    return Question(text, evidence, "shortages")


def timeline(game, s: Series) -> list[tuple[int, float, str, str]]:
    """(turn, year, seat, text): the decisive orders carried out and the events, in turn order.
    An order a seat repeats turn after turn is listed the first time only."""
    m = game.model
    first, last = int(s.turns[0]), int(s.turns[-1])
    rows, seen = [], set()
    for t, seat, text in m.accepted:
        action = text.split(" ", 1)[0]
        if seat in m.firms and action in FIRM_ROUTINE:
            continue                 # firms build every turn: the facilities chart shows them
        if first <= t <= last and action in DECISIVE and (seat, text) not in seen:
            seen.add((seat, text))
            rows.append((t, s.year(t), seat, text))
    for t, eid, text in m.events_log:
        if first <= t <= last:
            rows.append((t, s.year(t), "event", text))
    return sorted(rows, key=lambda r: (r[0], r[2] == "event", r[2]))

"""The readable end-of-game summary that `chokepoint run` prints."""

from __future__ import annotations

import numpy as np

KEY_MARKETS = ("US", "CN", "EU", "JP")


def print_summary(game, *, scripted: bool = False, out=None) -> None:
    import sys
    out = out or sys.stdout
    m = game.model
    sc = game.scenario
    w = out.write
    w(f"Chokepoint - {sc.title or sc.name}  (seed {game.seed}, {game.turn} turns of {m.turn_months} months, "
      f"{game_span(m)})\n\n")
    split = _prices(m, w)
    w("\n")
    short = _shares(m, w)
    w("\n")
    _binding(m, w, split, short)
    w("\n")
    _scores(game, w, scripted)
    events = [(t, text) for t, eid, text in m.events_log if t > 0]
    if events:
        w(f"\nEvents ({len(events)}): " + "; ".join(f"t{t} {text}" for t, text in events[:8]))
        w(" ..." if len(events) > 8 else "")
        w("\n")
    acc = sum(1 for t, _s, _x in m.accepted if t > 0)
    rej = sum(1 for t, *_ in m.rejections if t > 0)
    w(f"\nOrders: {acc} carried out, {rej} rejected.  Measures in force: {len(m.measures.controls)} export controls, "
      f"{len(m.measures.tariffs)} tariffs, {len(m.measures.floors)} price floors.\n")
    w(f"Final digest: {game.digest()}\n")


def period(m, turn: int) -> str:
    """The calendar period of a turn: a year for yearly turns, a half or a quarter of one
    (2025 H1, 2025 Q3), else the months (2025 m1-2)."""
    first = (turn - 1) * m.turn_months                   # months from the start
    year, month = m.start_year + first // 12, first % 12
    if m.turn_months == 12 and month == 0:
        return f"{year}"
    if m.turn_months == 6 and month in (0, 6):
        return f"{year} H{month // 6 + 1}"
    if m.turn_months == 3 and month % 3 == 0:
        return f"{year} Q{month // 3 + 1}"
    last = month + m.turn_months
    return f"{year} m{month + 1}" if m.turn_months == 1 else f"{year} m{month + 1}-{last}"


def game_span(m) -> str:
    """The periods the game has covered: its first turn to its last ("2025 H1 - 2034 H2")."""
    last = max(m.turn, 1)
    first, end = period(m, 1), period(m, last)
    return first if first == end else f"{first} - {end}"


def _prices(m, w) -> set[int]:
    markets = [c for c in KEY_MARKETS if c in m.countries]
    split = set()
    w(f"Prices at the end (ratio to the {m.start_year} reference price; * = a market split by controls)\n")
    w(f"  {'good':18s} {'unit':10s} {'ref':>9s} " + " ".join(f"{c:>6s}" for c in markets) + "\n")
    for g, gid in enumerate(m.goods.ids):
        ref = m.ref_price[g]
        ratios = [m.price[m.countries[c], g] / ref for c in markets]
        mark = "*" if (max(ratios) - min(ratios)) > 0.25 else " "
        if mark == "*":
            split.add(g)
        unit = m.rules.goods[gid].unit
        w(f"{mark} {gid:18s} {unit:10s} {ref:9.3g} " + " ".join(f"{r:6.2f}" for r in ratios) + "\n")
    return split


def _shares(m, w) -> dict[int, float]:
    """Print who makes what; return each good's unmet share over the recent turns."""
    from game import history
    from game.phases.production import needed_tranches
    # the markets of the last few turns too: plants' working stocks make one turn's shortage
    # swing, so the mean over recent turns is the steadier figure (records of turn 1 show the
    # world before any market)
    recent = [(rec["shortage"], rec["demand"]) for rec, _ in history.buffer(m) if rec["turn"] > 1][-3:]
    recent.append((m.shortage, m.final_demand))
    span = f" and over the last {len(recent)} turns" if len(recent) > 1 else ""
    w("Who makes what (share of world output in the last turn; unmet = share of the demand that would\n"
      f"pay the reference price left unmet, worldwide, in the last turn{span})\n")
    tranches = m.rules.market.demand_tranches
    needed = sum(t.share for t, need in zip(tranches, needed_tranches(tranches)) if need)
    world = m.production.sum(axis=0)
    unmet: dict[int, float] = {}
    for g, gid in enumerate(m.goods.ids):
        if world[g] <= 0:
            w(f"  {gid:18s} no output\n")
            continue
        order = np.argsort(-m.production[:, g], kind="stable")[:3]
        top = ", ".join(f"{m.countries.ids[c]} {m.production[c, g] / world[g]:.0%}" for c in order if m.production[c, g] > 0)
        need = needed * m.final_demand[:, g].sum()
        short = m.shortage[:, g].sum() / need if need > 0 else 0.0
        need_recent = needed * sum(float(d[:, g].sum()) for _s, d in recent)
        short_recent = sum(float(sh[:, g].sum()) for sh, _d in recent) / need_recent if need_recent > 0 else 0.0
        both = f"{short:5.1%}, {short_recent:5.1%}" if len(recent) > 1 else f"{short:5.1%}"
        w(f"  {gid:18s} {top:34s} unmet {both}\n")
        unmet[g] = max(short, short_recent)
    return unmet


def _scores(game, w, scripted: bool) -> None:
    m = game.model
    vs = game.scores(against_baseline=True) if scripted else None
    w("Scores (0-1, weighted role objectives" + ("; 'vs base' = minus the all-default-AI game)" if scripted else ")") + "\n")
    rows = sorted(range(len(m.countries)), key=lambda c: (m.kind[c] != "great_power", m.kind[c] != "middle", m.countries.ids[c]))
    w(f"  {'seat':5s} {'role':15s} {'score':>6s} " + (f"{'vs base':>8s} " if vs else "") + f"{'treasury M$':>12s} {'align':>6s} {'stab':>5s}\n")
    for c in rows:
        code = m.countries.ids[c]
        extra = f"{vs[code]:+8.3f} " if vs else ""
        w(f"  {code:5s} {m.role[c]:15s} {m.score[c]:6.3f} {extra}{m.treasury[c]:12,.0f} {m.alignment[c]:+6.2f} {m.stability[c]:5.2f}\n")


SHORT = 0.05        # unmet share over the recent turns from which the summary calls a market short
GAP = 1.05          # price ratio across a control from which it counts as binding


def _binding(m, w, split: set[int], unmet: dict[int, float]) -> None:
    """For each good whose market is split or short, the trade measures on it that bind
    (`binding_measures`), and the price floors in force on it. A short market that no trade
    measure binds is short of supply (capacity, or inputs)."""
    goods = sorted(split | {g for g, u in unmet.items() if u >= SHORT})
    w(f"What binds where a market is split (*) or short (unmet >= {SHORT:.0%})\n")
    if not goods:
        w("  no market is split or short\n")
    for g in goods:
        short = unmet.get(g, 0.0) >= SHORT
        tag = ", ".join(([] if g not in split else ["split"]) + ([f"short {unmet[g]:.0%}"] if short else []))
        what = "; ".join(binding_measures(m, g)) or (
            "no trade measure binds: supply is short" if short else "no trade measure binds this turn")
        floors = floors_in_force(m, g)
        w(f"  {m.goods.ids[g]:18s} {tag:16s} {what}" + (f"; in force too: {', '.join(floors)}" if floors else "") + "\n")


def binding_measures(m, g: int) -> list[str]:
    """Texts of the trade measures on good g that bind at the end of the game: a control
    where a country it covers pays more than the issuer's price (the control stops the
    trade that would close the gap), a tariff where the gap covers half its rate, a
    producer quota where exports reach it."""
    gid, price, out = m.goods.ids[g], m.price[:, g], []
    for ctl in sorted(m.measures.controls.values(), key=lambda c: c.key):
        if ctl.good != gid or not ctl.binds(m.turn) or ctl.issuer not in m.countries:
            continue
        e = m.countries[ctl.issuer]
        covered = np.ones(len(m.countries), bool) if ctl.target == "ALL" else np.zeros(len(m.countries), bool)
        if ctl.target != "ALL" and ctl.target in m.countries:
            covered[m.members[m.countries[ctl.target]]] = True
        covered[m.members[e]] = False
        if not covered.any() or m.production[e, g] <= 0 or not np.isfinite(price[covered]).any():
            continue
        top = int(np.flatnonzero(covered)[np.nanargmax(price[covered])])
        if price[top] > GAP * max(price[e], 1e-12):
            kind = "ore-export ban" if ctl.origin == "ore_ban" else ctl.mode
            out.append(f"{ctl.issuer} {kind} to {ctl.target} ({m.countries.ids[top]} pays "
                       f"{price[top] / max(price[e], 1e-12):.1f}x {ctl.issuer}'s price)")
    for t in sorted(m.measures.tariffs.values(), key=lambda t: (t.issuer, t.good, t.target)):
        if t.good == gid and t.issuer in m.countries and t.target in m.countries:
            gap = price[m.countries[t.issuer]] - price[m.countries[t.target]]
            if gap >= 0.5 * t.rate * m.ref_price[g]:
                out.append(f"{t.issuer} tariff {t.rate:.0%} on {t.target}")
    for (country, good), cap in sorted(m.measures.producer_quotas.items()):
        if good == gid and country in m.countries and m.exports[m.countries[country], g] >= 0.95 * cap * m.turn_frac:
            out.append(f"{country} producer quota of {cap:,.3g} a year")
    return out


def floors_in_force(m, g: int) -> list[str]:
    """The price floors on good g (they pay producers; they do not split a market)."""
    return [f"{fl.state} price floor at {fl.price / m.ref_price[g]:.2f}x ref"
            for fl in m.measures.floors if fl.good == m.goods.ids[g]]

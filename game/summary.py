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
      f"{m.start_year}-{m.year + m.turn_frac:.1f})\n\n")
    _prices(m, w)
    w("\n")
    _shares(m, w)
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


def _prices(m, w) -> None:
    markets = [c for c in KEY_MARKETS if c in m.countries]
    w("Prices at the end (ratio to the 2025 reference price; * = a market split by controls)\n")
    w(f"  {'good':18s} {'unit':10s} {'ref':>9s} " + " ".join(f"{c:>6s}" for c in markets) + "\n")
    for g, gid in enumerate(m.goods.ids):
        ref = m.ref_price[g]
        ratios = [m.price[m.countries[c], g] / ref for c in markets]
        split = "*" if (max(ratios) - min(ratios)) > 0.25 else " "
        unit = m.rules.goods[gid].unit
        w(f"{split} {gid:18s} {unit:10s} {ref:9.3g} " + " ".join(f"{r:6.2f}" for r in ratios) + "\n")


def _shares(m, w) -> None:
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

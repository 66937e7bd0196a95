"""The text tabs of the side panel (country, markets, news, scores) as rows of (text, tip):
every number comes with a tooltip in plain words. The main scene lays the rows out and
shows a row's tip when the mouse rests on it."""

from __future__ import annotations

import numpy as np

Row = tuple[str, str]

ALIGNMENT_TIP = ("Alignment: which bloc the country leans to, from +1 (the western bloc) to -1 (China's bloc); "
                 "near 0 it sides with neither and trades with both.")
STABILITY_TIP = ("Stability: how steady the government is, from 0 (collapse) to 1 (solid). Shortages, debt and "
                 "foreign pressure wear it down.")


def country_rows(scene, cid: str) -> list[Row]:
    """What anyone can see of a country: its standing, what it makes and buys most, and the
    export controls it imposes or faces; your own seat adds your books."""
    p, goods = scene.public, list(scene.public["goods"])
    sc = scene.control.game.scenario
    c = sc.countries[cid]
    i = list(p["countries"]).index(cid)
    rows: list[Row] = [
        (f"{c.name} ({cid}), {c.kind.replace('_', ' ')}", f"GDP {c.gdp:,.0f} $bn a year at the start."),
        (f"alignment {float(p['alignment'][i]):+.2f} (+1 western, -1 China's bloc)", ALIGNMENT_TIP),
        (f"stability {float(p['stability'][i]):.2f} (0 collapse, 1 solid)", STABILITY_TIP), ("", ""),
        ("Biggest world shares of output:", "Of all the world made of a good last turn, the part made in this country.")]
    shares = sorted(((float(p["world_share"][i][j]), g) for j, g in enumerate(goods)), reverse=True)[:5]
    rows += [(f"  {g}: {v:.0%} of the world",
              f"{c.name} made {v:.0%} of the world's {sc.goods[g].name.lower()} last turn.")
             for v, g in shares if v > 0.005] or [("  none yet", "")]
    world_imports = p["imports"].sum(axis=0)
    buys = sorted(((float(p["imports"][i][j]) / float(world_imports[j]), g) for j, g in enumerate(goods)
                   if float(p["imports"][i][j]) > 0), reverse=True)[:4]
    rows += [("Biggest shares of world imports:", "Of all the world imported of a good, the part this country bought.")]
    rows += [(f"  {g}: {v:.0%}", f"{c.name} bought {v:.0%} of all the {sc.goods[g].name.lower()} the world "
                                 "imported last turn: the more, the more a ban on it hurts.") for v, g in buys] \
        or [("  none", "")]
    control_tip = ("An export control: ban (nothing leaves), licence (a share of shipments is approved, after a "
                   "delay) or quota (at most an amount a year).")
    issued = [(f"  {k['mode']} on {k['good']} to {k['target']}", control_tip) for k in p["controls"]
              if k["issuer"] == cid]
    facing = [(f"  {k['issuer']}: {k['mode']} on {k['good']}", control_tip) for k in p["controls"]
              if k["target"] in (cid, "ALL") and k["issuer"] != cid]
    rows += [("Export controls it imposes:", control_tip)] + (issued[:6] or [("  none", "")])
    rows += [("Export controls it faces:", control_tip)] + (facing[:6] or [("  none", "")])
    revealed = cid != scene.seat and scene.control.reveal_all
    if cid == scene.seat or revealed:
        priv = scene.private if cid == scene.seat else scene.control.game.observe(cid)["private"]
        whose = f"Revealed: {cid}'s" if revealed else "Your"
        rows += [("", ""), (f"{whose} treasury: {priv['treasury']:,.0f} M$; stockpile:",
                            "Treasury: money your government can spend on orders now, in millions of US dollars. "
                            "The stockpile below is what your strategic reserve holds.")]
        rows += [(f"  {g}: {float(v):.2f} {sc.goods[g].unit}",
                  f"Your strategic stockpile of {sc.goods[g].name.lower()}, in {sc.goods[g].unit}: release it "
                  "(release_stockpile) to cover a shortage.")
                 for g, v in zip(goods, priv["stockpile"]) if float(v) > 0] or [("  empty", "")]
    return rows


def market_rows(scene) -> list[Row]:
    """Each good's price where the seat buys, against its reference, and how split the world is."""
    p, sc = scene.public, scene.control.game.scenario
    goods, price, ref = list(p["goods"]), np.asarray(p["price"]), np.asarray(p["ref_price"])
    countries = list(p["countries"])
    here = countries.index(scene.seat) if scene.seat in countries else None
    shortage = np.asarray(p["shortage"])
    rows: list[Row] = [("Price where you buy (1.00x = normal); low-high worldwide:",
                        "Each good's price in M$ per unit where your seat buys it, as a multiple of its 2025 "
                        "reference price, and the cheapest and dearest price anywhere (a wide range: a split "
                        "market, e.g. behind an export control).")]
    for j, good in enumerate(goods):
        col = price[:, j]
        mine = float(col[here]) if here is not None else float(np.median(col))
        lo, hi = float(col.min()), float(col.max())
        split = f"  {lo / ref[j]:.2f}-{hi / ref[j]:.2f}x" if hi > lo * 1.02 else ""
        short = float(shortage[:, j].sum()) if shortage.ndim == 2 else float(shortage[j])
        g = sc.goods[good]
        gap = f"  short {short:,.3g} {g.unit}" if short > 1e-9 else ""
        rows.append((f"  {good}: {mine / ref[j]:.2f}x{split}{gap}",
                     f"{g.name}: {mine:,.3g} M$ per {g.unit} where you buy, {mine / ref[j]:.2f} times the 2025 "
                     f"reference of {ref[j]:,.3g}; from {lo:,.3g} to {hi:,.3g} across countries."
                     + (f" Demand not met last turn: {short:,.3g} {g.unit}." if gap else "")))
    return rows


def news_rows(scene) -> list[Row]:
    """Events first, then the countries' orders (the great powers first), then the firms'
    orders counted by kind, so a turn of hundreds of licence applications stays readable."""
    report = scene.control.last_report
    rows: list[Row] = [("News of the last turn:", "Events, and every order carried out (orders are public).")]
    if report is None:
        return rows + [("  nothing yet: the first turn has not been played", "")]
    sc = scene.control.game.scenario
    rows += [(f"  event: {text}", "An event: it happened at the start of the turn.") for _, text in report.events] \
        or [("  no events", "")]
    rows += [(f"  refused ({s}): {t}: {why}", "Your order that the engine refused, and why.")
             for s, t, why in report.rejected if s == scene.seat]
    key = {scene.seat, *scene.control.humans} | {c for c, v in sc.countries.items() if v.kind == "great_power"}
    shown = [(s, t) for s, t in report.accepted if s in key]
    shown.sort(key=lambda st: (st[0] != scene.seat, sc.countries[st[0]].kind != "great_power") if st[0] in
               sc.countries else (True, True))
    rows += [(f"  {s}: {t}", f"An order {s} gave that was carried out.") for s, t in shown[:14]]
    if len(shown) > 14:
        rows.append((f"  ... and {len(shown) - 14} more orders of the powers", "The Help screen explains each order."))
    groups: dict[tuple[str, str], list[str]] = {}
    for s, t in report.accepted:
        if s not in key:
            who = "firms" if s not in sc.countries else "other countries"
            groups.setdefault((who, t.split()[0]), []).append(s)
    for (who, action), seats in sorted(groups.items(), key=lambda kv: (kv[0][0] == "firms", -len(kv[1]))):
        names = ", ".join(sorted(set(seats))[:12]) + (" ..." if len(set(seats)) > 12 else "")
        rows.append((f"  {who}: {len(seats)} x {action}", f"{who.capitalize()}' {action} orders this turn: {names}."))
    return rows


def score_rows(scene) -> list[Row]:
    """Your seat, the people's seats and the great powers first, then the rest by score."""
    scores = scene.control.scores_cache
    rows: list[Row] = [("Score this turn (0-1, higher is better):",
                        "Each side's score: how well its goals are met this turn, from 0 to 1. The after-action "
                        "screen compares it with the status-quo game of the same seed.")]
    if not scores:
        return rows + [("  after the first turn", "")]
    game = scene.control.game
    countries = game.scenario.countries
    first = [scene.seat] + [s for s in scene.control.humans if s != scene.seat]
    first += [c for c, v in countries.items() if v.kind == "great_power" and c not in first]
    for s in [s for s in first if s in scores]:
        who = "you" if s == scene.seat else "person" if game.seats.get(s) == "human" else "AI"
        rows.append((f"  {s} ({who}): {scores[s]:.3f}", f"{s}'s score this turn: {scores[s]:.3f} of a possible 1; "
                     "each role is scored on its own goals, so compare a side with itself over time."))
    rows.append(("Everyone else, best first:", "The other seats' scores this turn."))
    rest = sorted(((v, s) for s, v in scores.items() if s not in first), reverse=True)
    rows += [(f"  {s}: {v:.3f}", f"{s}'s score this turn: {v:.3f} of a possible 1.") for v, s in rest[:16]]
    return rows

"""Phase 1, events: scheduled ones from the scenario, injected ones from the facilitator,
then random ones drawn with the game's generator from the ruleset's probabilities."""

from __future__ import annotations

import numpy as np

from game.facilities import OPERATING


def run(model) -> None:
    m = model
    todo = [(e.event, dict(e.params)) for e in m.rules.scheduled_events if e.turn == m.turn]
    todo += [(e.pop("event"), e) for e in m.injected_events]
    m.injected_events = []
    for eid in sorted(m.rules.events):
        if m.rng.random() < m.rules.events[eid].probability:
            todo.append((eid, {}))
    for eid, params in todo:
        apply_event(m, eid, params)


def apply_event(m, eid: str, params: dict) -> str:
    """Carry out one catalogued event; `params` may narrow or override its effect."""
    spec = m.rules.events[eid]
    effect = {**spec.effect, **params}
    kind = effect["kind"]
    where = APPLY[kind](m, effect)
    text = spec.description + (f" ({where})" if where else "")
    m.events_log.append((m.turn, eid, text))
    return text


def _pick_country(m, effect) -> int | None:
    if effect.get("country"):
        return m.countries[effect["country"]]
    pool = [c for c in range(len(m.countries))
            if not effect.get("role_kind") or m.kind[c] == effect["role_kind"]]
    return int(m.rng.choice(pool)) if pool else None


def _capacity_loss(m, effect) -> str:
    fac = m.fac
    mask = fac.col("status") == OPERATING
    if effect.get("facility_type"):
        mask &= fac.col("ftype") == m.ftypes[effect["facility_type"]]
    if effect.get("good"):
        mask &= fac.col("good") == m.goods[effect["good"]]
    if effect.get("country"):
        mask &= fac.col("country") == m.countries[effect["country"]]
    rows = np.flatnonzero(mask)
    if len(rows) == 0:
        return "no facility affected"
    if not (effect.get("country") or effect.get("good") or effect.get("facility")):
        value = fac.col("capacity")[rows] * m.ref_price[fac.col("good")[rows]]   # units differ by good
        weights = value / value.sum()
        rows = np.array([m.rng.choice(rows, p=weights)])
    if effect.get("facility"):
        rows = np.array([fac.row[effect["facility"]]])
    fac.outage_share[rows] = effect.get("share", 0.5)
    fac.outage_turns[rows] = effect.get("turns", 1)
    return ", ".join(fac.ids[i] for i in rows[:5])


def _stability_shock(m, effect) -> str:
    c = _pick_country(m, effect)
    if c is None:
        return ""
    m.stability[c] = float(np.clip(m.stability[c] + effect.get("stability", -0.2), 0.0, 1.0))
    shift = abs(effect.get("alignment", 0.0))
    if shift:   # new rulers lean away from whoever the old ones leaned to
        m.alignment[c] = float(np.clip(m.alignment[c] - np.sign(m.alignment[c] or 1.0) * shift, -1, 1))
    return m.countries.ids[c]


def _alignment_shift(m, effect) -> str:
    c = _pick_country(m, effect)
    if c is None:
        return ""
    direction = effect.get("direction") or (1.0 if m.rng.random() < 0.5 else -1.0)
    m.alignment[c] = float(np.clip(m.alignment[c] + direction * abs(effect.get("alignment", 0.1)), -1, 1))
    return m.countries.ids[c]


def _demand_shift(m, effect) -> str:
    s = m.sectors[effect["sector"]]
    c = m.countries[effect["country"]] if effect.get("country") else -1
    factor = float(effect.get("factor", 1.2))
    m.demand_shocks.append((c, s, factor, m.turn + int(effect.get("turns", 2)) - 1))
    m.demand_factor[c if c >= 0 else slice(None), s] *= factor
    return effect["sector"] + (f" in {effect['country']}" if c >= 0 else "")


def _tariff_struck(m, effect) -> str:
    if not m.measures.tariffs:
        return "no tariff in force"
    keys = sorted(m.measures.tariffs)
    key = keys[int(m.rng.integers(len(keys)))]
    del m.measures.tariffs[key]
    return f"{key[0]} tariff on {key[1]} from {key[2]}"


APPLY = {
    "capacity_loss": _capacity_loss,
    "stability_shock": _stability_shock,
    "alignment_shift": _alignment_shift,
    "demand_shift": _demand_shift,
    "tariff_struck": _tariff_struck,
}

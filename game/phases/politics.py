"""Phase 6, politics: alignment, resource nationalism, stability, social licence, risk.

- Alignment (-1 China bloc ... +1 US bloc) of middle and resource states moves toward the
  bloc of whoever invests in or lends to them, away from whoever targets them with a
  control or tariff, toward a state that pressures them (at a cost in stability), and
  away from a party that breaks a deal with them. Great powers' alignment is fixed.
- Resource nationalism rises with the prices of what a state exports relative to the
  reference prices, and with the foreign-owned share of its production.
- Stability falls with shortages and pressure and drifts back to its starting level;
  social licence follows stability; investor risk decays slowly after a shock.
- Transshipments are detected with a chance set by the origin's enforcement; a detected
  route closes and the firm pays a fine of twice the value it moved that turn.
"""

from __future__ import annotations

import numpy as np


def run(model) -> None:
    m = model
    pol = m.rules.politics
    movable = np.array([k != "great_power" for k in m.kind])
    shift = np.zeros(len(m.countries))
    for seat, host, amount in m.investments:
        shift[host] += _side(m, seat) * amount * pol.get("alignment_per_investment", 5e-5)
    for seat, target in m.coercions:
        own = m.members[m.countries[seat]] if seat in m.countries else []
        for t in np.setdiff1d(m.expand_targets(target), own):
            shift[t] -= _side(m, seat) * pol.get("alignment_per_coercion", 0.08)
    for seat, target in m.pressures:
        t = m.countries[target]
        shift[t] += _side(m, seat) * pol.get("alignment_per_pressure", 0.04)
        m.stability[t] = max(0.0, m.stability[t] - 0.02)
    for breaker, victim in m.deals_broken:
        if victim in m.countries:
            shift[m.countries[victim]] -= _side(m, breaker) * pol.get("alignment_per_broken_deal", 0.15)
    for a, b in m.deals_kept:
        shift[m.countries[b]] += _side(m, a) * 0.03
        shift[m.countries[a]] += _side(m, b) * 0.03
    for seat, owner_home, _fid in m.nationalizations:
        shift[m.countries[seat]] -= np.sign(m.alignment[owner_home]) * 0.05
    shift = np.clip(shift, -0.3, 0.3)
    m.alignment = np.where(movable, np.clip(m.alignment + shift, -1.0, 1.0), m.alignment)
    nationalism(m, pol)
    stability(m, pol)
    detect_transshipment(m, pol.get("detection_base", 0.3))
    m.investor_risk = np.maximum(m.investor_risk - 0.01, 0.0)
    m.last_coercions = list(m.coercions)
    m.clear_turn_records()


def _side(m, seat: str) -> float:
    """+1 if the seat (or a firm's home) leans to the US bloc, -1 to China's, 0 if neither."""
    c = m.countries[seat] if seat in m.countries else int(m.firm_home[m.firms[seat]])
    a = m.alignment[c]
    return 1.0 if a >= 0.3 else (-1.0 if a <= -0.3 else 0.0)


def nationalism(m, pol) -> None:
    exports_value = (m.exports * m.price).sum(axis=1)
    ref_value = (m.exports * m.ref_price[None, :]).sum(axis=1)
    price_index = np.where(ref_value > 0, exports_value / np.maximum(ref_value, 1e-12), 1.0)
    m.foreign_share = foreign_ownership(m)
    target = np.clip(pol.get("nationalism_price_weight", 0.3) * (price_index - 1.0) * 2.0
                     + pol.get("nationalism_foreign_weight", 0.3) * m.foreign_share * 2.0, 0.0, 1.0)
    m.price_index = price_index
    m.nationalism = 0.6 * m.nationalism + 0.4 * target


def foreign_ownership(m) -> np.ndarray:
    """Share of each country's production value owned by foreign firms."""
    fac = m.fac
    F = len(fac)
    value = m.fac_output[:F] * m.price[fac.col("country"), fac.col("good")]
    owner_home = np.where(fac.col("state_owner") >= 0, fac.col("state_owner"), m.firm_home[fac.col("firm")])
    foreign = owner_home != fac.col("country")
    total = np.zeros(len(m.countries))
    abroad = np.zeros(len(m.countries))
    np.add.at(total, fac.col("country"), value)
    np.add.at(abroad, fac.col("country"), np.where(foreign, value, 0.0))
    return np.where(total > 0, abroad / np.maximum(total, 1e-12), 0.0)


def stability(m, pol) -> None:
    need = m.final_demand @ m.ref_price
    short = np.where(need > 0, (m.shortage @ m.ref_price) / np.maximum(need, 1e-12), 0.0)
    m.stability = m.stability - pol.get("stability_shortage_weight", 0.2) * short
    m.stability += pol.get("stability_reversion", 0.05) * (m.stability0 - m.stability)
    m.stability = np.clip(m.stability, 0.0, 1.0)
    m.social_licence = np.clip(0.8 * m.social_licence + 0.2 * m.stability, 0.0, 1.0)


def detect_transshipment(m, base: float) -> None:
    keep = []
    for ts in m.measures.transships:
        o = m.countries[ts.origin]
        if m.rng.random() < base * m.enforcement[o]:
            moved = m.transship_flow.get((ts.firm, ts.good, ts.origin, ts.via, ts.destination), 0.0)
            fine = 2.0 * moved * m.price[o, m.goods[ts.good]]
            f = m.firms[ts.firm]
            m.cash[f] -= fine
            m.treasury[o] += fine
            m.events_log.append((m.turn, "transship_detected",
                                 f"{ts.origin} uncovers {ts.firm} shipping {ts.good} via {ts.via}; fine {fine:,.0f} M$"))
            continue
        keep.append(ts)
    m.measures.transships = keep

"""Trade measures: export controls, tariffs, chip and technology controls, cartels."""

from __future__ import annotations

from game.actions import base as b
from game.actions.base import Reject, handles
from game.measures import Control, Tariff
from game.market.routes import targeted

# Know-how a technology control denies: the goods whose plants need it.
TECH_AREAS = {
    "processing": ("ndpr_oxide", "dytb_oxide"),                         # rare-earth separation
    "magnet": ("ndfeb_magnet",),
    "battery": ("battery_cell", "lithium_chemical", "anode_graphite"),  # cells, cathode and anode chemistry
}
CHIP_GOODS = ("chip_tools", "advanced_chip")


def _target(m, seat: str, target: str) -> None:
    b.country(m, target, allow_all=True)
    if target == seat:
        raise Reject("a measure cannot target its own country")


@handles("lift_control", 10)
def lift_control(m, seat, o):
    key = (seat, o.good, o.target)
    if key not in m.measures.controls:
        raise Reject(f"no control of yours on {o.good} to {o.target}")
    del m.measures.controls[key]


@handles("suspend_control", 11)
def suspend_control(m, seat, o):
    ctl = m.measures.controls.get((seat, o.good, o.target))
    if ctl is None:
        raise Reject(f"no control of yours on {o.good} to {o.target}")
    b.positive(o.turns, "turns", upper=40)
    ctl.suspended_until = m.turn + o.turns


@handles("export_control", 20)
def export_control(m, seat, o):
    b.no_eu_member(m, seat, "export_control")
    b.good(m, o.good)
    _target(m, seat, o.target)
    b.share(o.approval, "approval")
    b.share(o.content, "content")
    if o.quota < 0 or o.delay < 0 or o.effective < 0:
        raise Reject("quota, delay and effective must not be negative")
    if o.mode == "quota" and o.quota <= 0:
        raise Reject("a quota control needs quota= (annual volume above 0)")
    ctl = Control(seat, o.good, o.target, o.mode, approval=o.approval, quota=o.quota,
                  delay=o.delay, content=o.content, start_turn=m.turn + o.effective)
    m.measures.controls[ctl.key] = ctl
    m.break_commitments(seat, o.good, o.target)
    m.coercions.append((seat, o.target))


@handles("tariff", 21)
def tariff(m, seat, o):
    b.no_eu_member(m, seat, "tariff")
    b.good(m, o.good)
    _target(m, seat, o.target)
    if not 0.0 <= o.rate <= 5.0:
        raise Reject(f"rate must be between 0 and 5 (500%), got {o.rate:g}")
    key = (seat, o.good, o.target)
    if o.rate == 0:
        m.measures.tariffs.pop(key, None)
    else:
        m.measures.tariffs[key] = Tariff(seat, o.good, o.target, o.rate)
        m.coercions.append((seat, o.target))


@handles("enforcement", 22)
def enforcement(m, seat, o):
    b.share(o.level, "level")
    m.enforcement[m.countries[seat]] = o.level


@handles("chip_control", 23)
def chip_control(m, seat, o):
    b.country(m, o.target)
    if o.target == seat:
        raise Reject("a measure cannot target its own country")
    b.share(o.content, "content")
    for g in CHIP_GOODS:
        if g in m.goods:
            ctl = Control(seat, g, o.target, "ban", content=o.content, start_turn=m.turn, origin="chip_control")
            m.measures.controls[ctl.key] = ctl
            m.break_commitments(seat, g, o.target)     # re-imposing what a deal suspended
    m.coercions.append((seat, o.target))


@handles("tech_control", 24)
def tech_control(m, seat, o):
    if o.area not in TECH_AREAS:
        raise Reject(f"area must be one of {', '.join(TECH_AREAS)}")
    _target(m, seat, o.target)
    m.measures.tech_controls.add((seat, o.area, o.target))
    m.coercions.append((seat, o.target))


@handles("ore_export_ban", 25)
def ore_export_ban(m, seat, o):
    g = b.good(m, o.good)
    if m.stage[g] != "ore":
        raise Reject(f"{o.good} is not an ore (stage {m.stage[g]}); use export_control")
    ctl = Control(seat, o.good, "ALL", "ban", start_turn=m.turn, origin="ore_ban")
    m.measures.controls[ctl.key] = ctl
    m.break_commitments(seat, o.good, "ALL")
    c = m.countries[seat]
    m.investor_risk[c] = min(1.0, m.investor_risk[c] + 0.05)


@handles("export_subsidy", 26)
def export_subsidy(m, seat, o):
    b.good(m, o.good)
    b.share(o.rate, "rate")
    key = (seat, o.good)
    if o.rate == 0:
        m.measures.export_subsidies.pop(key, None)
    else:
        m.measures.export_subsidies[key] = o.rate


@handles("producer_quota", 27)
def producer_quota(m, seat, o):
    g = b.good(m, o.good)
    b.share(o.cut, "cut")
    c = m.countries[seat]
    key = (seat, o.good)
    if o.cut == 0:
        m.measures.producer_quotas.pop(key, None)
        return
    base = m.exports[c, g] / m.turn_frac
    if base <= 0:
        raise Reject(f"{seat} exported no {o.good} last turn: nothing to cap")
    m.measures.producer_quotas[key] = (1.0 - o.cut) * base


@handles("governance_standard", 28)
def governance_standard(m, seat, o):
    _target(m, seat, o.target)
    m.measures.governance.add((seat, o.target))


def tech_penalty(m, firm_home: str, good: str) -> bool:
    """Whether a firm from `firm_home` is denied the know-how to make `good`."""
    for issuer, area, target in m.measures.tech_controls:
        if good in TECH_AREAS[area] and issuer != firm_home and targeted(m, target, m.countries[firm_home]):
            return True
    return False

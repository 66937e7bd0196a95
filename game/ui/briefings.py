"""What a person playing a role is told before the first turn: its goals (the ruleset's
scoring weights, in words), what to watch, and two or three sensible first moves.

The goals come from the scenario's `scoring` table, so a ruleset that reweights a role
briefs it differently. The first moves are order texts built for the seat from the map
(its main ore, its biggest facility); tests check each one with `Game.check_order`.
"""

from __future__ import annotations

from dataclasses import dataclass

# Every objective a role may be scored on, in plain words (also the glossary's entries).
OBJECTIVES = {
    "secure_supply": "critical goods you use, met without depending on the rival bloc",
    "defence_readiness": "output of your defence industry (magnets, tungsten, antimony, gallium)",
    "ai_compute": "output of your AI compute sector (advanced chips and the tools to make them)",
    "gdp": "your economy against where it started",
    "fiscal": "money for minerals policy left unspent, net of what your measures earned back",
    "leverage": "your share of the world's refining, across the goods",
    "export_revenue": "the value of what you export, against the start",
    "self_reliance": "AI compute you make at home despite the chip controls on you",
    "partners": "how many countries lean towards your bloc",
    "industrial_output": "output of the industries that use these goods, weighted by what you use",
    "eu_benchmarks": "the EU's 2030 targets: mine 10%, refine 40%, recycle 25% at home; no supplier over 65%",
    "revenue": "government revenue from mining: royalties and taxes",
    "value_added": "how much of your ore is refined at home rather than shipped raw",
    "domestic_ownership": "the share of your mines and plants owned at home",
    "stability": "how steady your government is (0 collapse, 1 solid)",
    "profit": "the firm's profit",
    "market_share": "the firm's share of the world market of its goods",
    "survival": "staying solvent and open",
}

ROLE_NAMES = {"western_power": "the western great power", "china": "China", "middle_power": "a middle power",
              "resource_state": "a resource state", "firm": "a firm"}

WATCH = {
    "western_power": ["Markets tab: gallium, germanium, dytb_oxide and ndfeb_magnet prices (above 1.00x = scarce)",
                      "Country tab on CN: the export controls it imposes on you",
                      "Top bar: treasury and 'may spend'; money spent now lowers the fiscal goal"],
    "china": ["Country tab on US: the chip controls on you and who buys from you",
              "Markets tab: prices of the goods you refine (your export revenue)",
              "News tab: who builds refineries outside China (your leverage falls)"],
    "middle_power": ["Markets tab: the price of the magnets and metals your industry uses",
                     "Country tab on your own seat: stockpile, and the controls you face",
                     "Scores tab: your score against the status-quo game"],
    "resource_state": ["Country tab on your seat: your world share of your ores",
                       "News tab: who invests in your mines and who is pressuring you",
                       "Top bar: stability, via the Country tab; a ban too many costs investment"],
    "firm": ["Markets tab: the price of what you make against what it costs",
             "News tab: export controls that cut you off from inputs or buyers",
             "Top bar: treasury (the firm's cash)"],
}


@dataclass(frozen=True)
class Briefing:
    seat: str
    title: str
    goals: list[tuple[str, float, str]]         # (objective, weight, words)
    watch: list[str]
    first_moves: list[tuple[str, str]]          # (order text, why)

    def lines(self) -> list[str]:
        out = [self.title, "", "Your goals (the score weighs them so):"]
        out += [f"  {w:.0%}  {name.replace('_', ' ')}: {words}" for name, w, words in self.goals]
        out += ["", "Sensible first moves (Orders tab, or type them in its box):"]
        out += [f"  {text}   ({why})" for text, why in self.first_moves]
        out += ["", "What to watch:"] + [f"  - {w}" for w in self.watch]
        return out


def role_of(scenario, seat: str) -> str:
    if seat in scenario.countries:
        return scenario.countries[seat].role
    return "firm"


def briefing(scenario, seat: str) -> Briefing:
    role = role_of(scenario, seat)
    weights = scenario.scoring.get(role, {})
    goals = sorted(((name, float(w), OBJECTIVES.get(name, name.replace("_", " "))) for name, w in weights.items()),
                   key=lambda g: -g[1])
    name = scenario.countries[seat].name if seat in scenario.countries else scenario.firms[seat].name
    return Briefing(seat, f"You play {name} ({seat}), {ROLE_NAMES.get(role, role)}.", goals,
                    WATCH.get(role, []), first_moves(scenario, seat, role))


def first_moves(scenario, seat: str, role: str) -> list[tuple[str, str]]:
    if role == "western_power":
        firm = _home_firm(scenario, seat)
        moves = [("stockpile good=dytb_oxide amount=200", "a buffer of the heavy rare earths China licences"),
                 ("recycling_programme good=ndfeb_magnet capacity=2", "magnets from scrap, outside China's reach")]
        if firm:
            moves.append((f"subsidy firm={firm} amount=300", f"help {firm} build a home supply chain"))
        return moves
    if role == "china":
        rival = next((c for c, v in scenario.countries.items() if v.kind == "great_power" and c != seat), "ALL")
        return [(f"export_control good=ndfeb_magnet target={rival} mode=licence approval=0.5",
                 "leverage: half the licences are approved, and you can tighten later"),
                ("dev_loan country=CD amount=500", "a loan wins a partner and its cobalt"),
                ("export_subsidy good=ndpr_oxide rate=0.1", "cheap oxide keeps rivals' refineries unprofitable")]
    if role == "middle_power":
        return [("stockpile good=dytb_oxide amount=100", "cover a licence delay on heavy rare earths"),
                ("recycling_programme good=ndfeb_magnet capacity=1", "secure supply and the recycling benchmark"),
                ("substitution_rd sector=ev good=ndfeb_magnet amount=100", "cars that need fewer magnets")]
    if role == "resource_state":
        ore = _main_ore(scenario, seat)
        moves = [("permit_reform", "faster permits bring investors and future revenue")]
        if ore:
            moves.insert(0, (f"ore_export_ban good={ore}", "refine at home: value added, but investors may balk"))
        return moves
    fac = _biggest_facility(scenario, seat)
    return [(f"expand facility={fac} capacity=2", "grow your biggest plant while prices are high")] if fac else []


def _home_firm(scenario, country: str) -> str:
    return next((fid for fid, f in scenario.firms.items() if f.home == country and not f.state_owned), "")


def _main_ore(scenario, country: str) -> str:
    mines: dict[str, float] = {}
    for _, fac in scenario.facilities():
        if fac.country == country and fac.type == "mine" and fac.status == "operating":
            mines[fac.good] = mines.get(fac.good, 0.0) + fac.capacity * fac.unit_cost
    return max(mines, key=mines.get) if mines else ""


def _biggest_facility(scenario, firm: str) -> str:
    facs = [f for fid, f in scenario.facilities() if fid == firm and f.status == "operating"]
    return max(facs, key=lambda f: f.capacity * f.unit_cost).id if facs else ""

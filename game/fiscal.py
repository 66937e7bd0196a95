"""Public finance: a state's minerals-policy budget, its baseline spending, debt and what its
measures cost.

A treasury in the game is the money a state has for minerals policy, not its whole budget.
Each turn it receives

* an appropriation from the general budget, `budget_share` of its general-government
  revenue (`revenue_share` x GDP, IMF figures in the map);
* what the chain pays the state: taxes, royalties, scarcity rents of its controls, tariffs
  and the profits of plants it owns (`gov_revenue`, worked out in the finance phase).

and it spends

* what its orders cost (subsidies, stakes, floors, offtakes, loans, stockpiles...), paid
  when the order is carried out or when the measure falls due;
* interest on debt, where its treasury is below zero;
* a **baseline spending rule**: a state keeps a fund the size it started with and passes
  `spend_rate` of what it holds above that to general spending each turn (schools, roads,
  debt service: everything the game does not model), so that revenue a state does not use
  for minerals policy is spent, as real governments spend theirs.

A state may borrow: its treasury may go below zero down to `borrow_share` of a year's
general-government revenue, at `debt_rate` a turn plus `debt_risk_spread` x its investor
risk. Orders that cost money are checked against the treasury plus that room, so a rich
power can outspend a small state on subsidies and loans by far.
"""

from __future__ import annotations

import numpy as np


def setup(m) -> None:
    """Fiscal arrays of a new model: revenue share, borrowing limit, the running accounts."""
    fin = m.rules.finance
    default = fin.get("revenue_share", 0.25)
    rows = [m.rules.countries[c] for c in m.countries.ids]
    m.revenue_share = np.array([r.revenue_share if r.revenue_share is not None else default for r in rows])
    C = len(m.countries)
    m.gov_spending = np.zeros(C)          # baseline spending this turn (M$)
    m.gov_spending_cum = np.zeros(C)
    m.policy_cost = np.zeros(C)           # net cost of its measures this turn (M$)
    m.policy_cost_cum = np.zeros(C)
    m.treasury_mark = m.treasury.copy()   # the treasury when the last turn's accounts closed


def general_revenue(m) -> np.ndarray:
    """General-government revenue a year, M$ (GDP is in US$B)."""
    return m.revenue_share * m.gdp * 1000.0


def borrowing_limit(m) -> np.ndarray:
    """How far below zero each treasury may go, M$."""
    return m.rules.finance.get("borrow_share", 0.01) * general_revenue(m)


def spending_room(m, c: int) -> float:
    """What country row c may spend on an order now: its treasury plus its borrowing room."""
    return float(m.treasury[c] + borrowing_limit(m)[c])


def run(m) -> None:
    """The state side of the finance phase, after taxes: budget, interest, baseline
    spending, and the turn's accounts (what its measures cost, net)."""
    fin = m.rules.finance
    income = fin.get("budget_share", 0.0008) * general_revenue(m) * m.turn_frac
    m.treasury += income
    m.budget_cum += income
    m.external -= float(income.sum())
    rate = fin.get("debt_rate", 0.015) + fin.get("debt_risk_spread", 0.03) * m.investor_risk
    interest = np.maximum(-m.treasury, 0.0) * rate
    m.treasury -= interest
    spend = fin.get("spend_rate", 0.5) * np.maximum(m.treasury - np.maximum(m.treasury0, 0.0), 0.0)
    m.treasury -= spend
    m.external += float(interest.sum() + spend.sum())
    m.gov_spending = spend
    m.gov_spending_cum += spend
    # what the turn's measures cost, net: everything that moved the treasury besides the
    # revenue lines, the budget, interest and baseline spending (orders, floors, export
    # subsidies, stockpile trades, loans given and repaid, bail-outs, dividends, fines)
    expected = m.treasury_mark + m.gov_revenue + income - interest - spend
    m.policy_cost = expected - m.treasury
    m.policy_cost_cum += m.policy_cost
    m.treasury_mark = m.treasury.copy()

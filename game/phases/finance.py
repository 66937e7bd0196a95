"""Phase 5, finance: costs, taxes, floors, loans, defaults, public finance (game.fiscal) and
sector output."""

from __future__ import annotations

import numpy as np

from game import fiscal
from game.facilities import CLOSED, IDLE, OPERATING
from game.ledger import credit_owners, debit_owners
from game.phases.production import needed_tranches


def run(model) -> None:
    m = model
    fin = m.rules.finance
    operating_costs(m)
    pay_floors(m)
    pay_export_subsidies(m)
    service_loans(m, fin.get("interest_rate", 0.03))
    taxes_and_royalties(m)
    firm_defaults(m)
    fiscal.run(m)
    sector_output(m, fin.get("value_added_share", 0.35))


def operating_costs(m) -> None:
    fac = m.fac
    F = len(fac)
    status = fac.col("status")
    running = fac.col("unit_cost") * m.fac_output[:F]
    fixed_share = m.ftype_fixed[fac.col("ftype")]
    fixed = fixed_share * fac.col("capex_value") * m.turn_frac * 0.1
    fixed = np.where(status == OPERATING, fixed, np.where(status == IDLE, 0.5 * fixed, 0.0))
    m.fac_cost = running + fixed
    rows = np.arange(F)
    debit_owners(m, rows, m.fac_cost)
    m.external += float(m.fac_cost.sum())
    m.fac_profit = m.fac_revenue[:F] + m.fac_offtake_income[:F] - m.fac_input_cost[:F] - m.fac_cost


def pay_floors(m) -> None:
    """A floor pays the gap between floor and market price on domestic output up to its volume."""
    m.floor_paid = np.zeros(len(m.countries))
    fac = m.fac
    for fl in m.measures.floors:
        s, g = m.countries[fl.state], m.goods[fl.good]
        in_bloc = np.zeros(len(m.countries), dtype=bool)
        in_bloc[m.members[s]] = True
        rows = np.flatnonzero((fac.col("good") == g) & in_bloc[fac.col("country")] & (m.fac_output[: len(fac)] > 0))
        if len(rows) == 0:
            continue
        gap = np.maximum(fl.price - m.price[fac.col("country")[rows], g], 0.0)
        qty = m.fac_output[rows]
        cover = min(1.0, fl.volume * m.turn_frac / qty.sum())
        amounts = gap * qty * cover
        total = float(amounts.sum())
        if total <= 0:
            continue
        credit_owners(m, rows, amounts)
        m.fac_profit[rows] += amounts
        m.treasury[s] -= total
        m.floor_paid[s] += total


def pay_export_subsidies(m) -> None:
    for (country, good), rate in m.measures.export_subsidies.items():
        c, g = m.countries[country], m.goods[good]
        amount = rate * m.ref_price[g] * m.exports[c, g]
        if amount <= 0:
            continue
        rows = np.flatnonzero((m.fac.col("good") == g) & (m.fac.col("country") == c) & (m.fac_output[: len(m.fac)] > 0))
        if len(rows) == 0:
            continue
        weights = m.fac_output[rows] / m.fac_output[rows].sum()
        credit_owners(m, rows, amount * weights)
        m.fac_profit[rows] += amount * weights
        m.treasury[c] -= amount


def service_loans(m, bank_rate: float) -> None:
    """State loans: interest plus an equal share of principal each turn. Firms' bank debt: interest."""
    keep = []
    for loan in m.measures.loans:
        due = loan.principal / max(loan.turns_left, 1) + loan.principal * loan.rate
        payer = m.firms[loan.borrower] if loan.borrower_is_firm else m.countries[loan.borrower]
        lender = m.countries[loan.lender]
        if loan.borrower_is_firm:
            if m.bankrupt[payer]:
                continue                             # written off
            m.cash[payer] -= due
        else:
            m.treasury[payer] -= due
        m.treasury[lender] += due
        loan.principal -= loan.principal / max(loan.turns_left, 1)
        loan.turns_left -= 1
        if loan.turns_left > 0 and loan.principal > 1e-9:
            keep.append(loan)
    m.measures.loans = keep
    interest = m.debt * bank_rate
    m.cash -= interest
    m.external += float(interest.sum())


def taxes_and_royalties(m) -> None:
    fac = m.fac
    F = len(fac)
    cty = fac.col("country")
    private = fac.col("state_owner") < 0
    tax = np.where(private, np.maximum(m.fac_profit, 0.0) * m.tax_rate[cty], 0.0)
    mine = fac.col("ftype") == m.ftypes["mine"] if "mine" in m.ftypes else np.zeros(F, bool)
    royalty = np.where(private & mine, m.fac_revenue[:F] * m.royalty_rate[cty], 0.0)
    levy = tax + royalty
    np.subtract.at(m.cash, fac.col("firm")[private], levy[private])
    np.add.at(m.treasury, cty, levy)
    m.fac_profit = m.fac_profit - levy
    m.gov_revenue = np.zeros(len(m.countries))
    np.add.at(m.gov_revenue, cty, levy)
    m.gov_revenue += m.rents + m.tariff_income
    state_run = ~private
    np.add.at(m.gov_revenue, fac.col("state_owner")[state_run], m.fac_profit[state_run])
    profit = np.zeros(len(m.firms))
    np.add.at(profit, fac.col("firm")[private], m.fac_profit[private])
    m.profit_turn = profit
    m.profit_cum += profit
    pay_dividends(m, profit)


def pay_dividends(m, profit: np.ndarray) -> None:
    """States holding equity receive their share of a firm's positive profit."""
    for f, holders in m.equity.items():
        if profit[f] <= 0:
            continue
        for c, share in holders.items():
            amount = 0.5 * share * profit[f]
            m.cash[f] -= amount
            m.treasury[c] += amount


def firm_defaults(m) -> None:
    """Firms short of cash borrow; past their limit private firms fail, state firms are bailed out."""
    short = m.cash < 0
    if not short.any():
        return
    limit = m.rules.finance.get("firm_debt_limit", 2.0)
    fac = m.fac
    # each firm's own plants (not nationalized), in row order, found by a search in the
    # plants sorted by firm rather than by a pass over all plants per firm
    owned = np.flatnonzero(fac.col("state_owner") < 0)
    owned = owned[np.argsort(fac.col("firm")[owned], kind="stable")]
    start = np.searchsorted(fac.col("firm")[owned], np.arange(len(m.firms) + 1)).tolist()
    capex = fac.col("capex_value")[owned]
    for f in np.flatnonzero(short & ~m.bankrupt):
        need = -m.cash[f]
        rows = owned[start[f]: start[f + 1]]
        assets = float(capex[start[f]: start[f + 1]].sum())
        if m.debt[f] + need <= limit * max(assets, 1.0) or m.firm_state_owned[f]:
            if m.firm_state_owned[f] and m.debt[f] + need > limit * max(assets, 1.0):
                home = m.firm_home[f]
                m.treasury[home] -= need              # bail-out by the owner state
                m.cash[f] += need
                continue
            m.debt[f] += need
            m.cash[f] += need
            m.external -= need
        else:
            m.bankrupt[f] = True
            fac.col("status")[rows] = np.where(fac.col("status")[rows] == CLOSED, CLOSED, IDLE)
            m.events_log.append((m.turn, "bankruptcy", f"{m.firms.ids[f]} fails; its plants stand idle"))


def sector_output(m, va_share: float) -> None:
    """Shortages of inputs cut sector output: the scarcest critical input sets the pace. A
    shortage is need left unmet (the demand tranches that pay at least the reference price),
    so it is measured against that need: a sector that gets none of what it needs stops."""
    tranches = m.rules.market.demand_tranches
    needed = float(sum(t.share for t, n in zip(tranches, needed_tranches(tranches)) if n))
    need = m.final_demand * needed
    short = np.where(need > 1e-12, m.shortage / np.maximum(need, 1e-12), 0.0)   # (C, G)
    uses = m.intensity > 0                                                       # (C, S, G)
    hit = np.where(uses, short[:, None, :], 0.0).max(axis=2)                     # (C, S)
    m.sector_output = np.clip(1.0 - m.criticality[None, :] * hit, 0.0, 1.0)
    lost = (m.sector_level * (1.0 - m.sector_output)).sum(axis=1)
    m.gdp = m.gdp0 - va_share * lost

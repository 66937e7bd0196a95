"""Firm personalities: expander, cautious and state_directed.

All three keep DefaultFirm's plant housekeeping (idle, reopen, licences) and differ in when
and where they build or expand: the return they demand on capex (floors count, through the
default tables), how much of their cash they will risk, which countries they will invest in,
and how long a price must hold before they believe it. Firms from outside China build and
expand outside China (de-risking); Chinese firms invest anywhere.

Each firm recalls the prices of its last few turns (the observation's history) and plans on
the lowest of them in each market: a plant takes years to build, so one turn's spike (a ban
lifted as soon as it was imposed) is no reason to build, while a price that stays high is.
Floors are contracts and count at once. Prices are public, so one recall serves every firm
of a batch.
"""

from __future__ import annotations

import numpy as np

from agents.policies.base import Traits
from agents.policies.default import DefaultFirm
from agents.policies.investing import _investors, best_investment
from agents.policies.personalities.memory import Memory


class _Builder(DefaultFirm):
    HURDLE = 1.2            # expected margins over the horizon per unit of capex
    CASH_MULTIPLE = 3.0     # capex may reach this multiple of cash (borrowing the rest)
    MEMORY = 3              # turns a price must hold before the firm plans on it

    def decide_batch(self, observations, rngs):
        """Decide as the default firm does, but on the prices that have held over the last
        MEMORY turns (DefaultFirm's tables read `price`)."""
        if not observations:
            return []
        pub = observations[0]["public"]
        planning = {**pub, "price": self.planning_price(pub)}
        return super().decide_batch([{**obs, "public": planning} for obs in observations], rngs)

    def planning_price(self, pub) -> np.ndarray:
        """Per country and good, the lowest price of this turn and the MEMORY - 1 before it."""
        price = Memory.of(pub, "price").lowest("price", self.MEMORY)
        price.flags.writeable = False
        return price

    def _hosts(self, pub, me, g: int, tables) -> set[int]:
        hosts = super()._hosts(pub, me, g, tables)
        if me["home"] != "CN" and "CN" in pub["countries"]:
            hosts.discard(pub["countries"].index("CN"))
        return hosts

    def _hurdle(self, pub, me) -> float:
        return self.HURDLE

    def _invest(self, pub, me, tables):
        return best_investment(pub, me, tables, self._hurdle(pub, me), self.CASH_MULTIPLE,
                               lambda g: self._hosts(pub, me, g, tables))

    def _may_invest(self, pub, observations, tables, plants) -> np.ndarray:
        # the tests `_invest` starts with (cash, a good that clears the firm's hurdle, a plant
        # it can afford), over all plants at once; subclasses only add conditions
        hurdle = np.array([self._hurdle(pub, obs["private"]) for obs in observations])
        return _investors(observations, tables, plants, hurdle, self.CASH_MULTIPLE)


class Expander(_Builder):
    """Grows whenever the numbers are merely decent: a low hurdle, borrowing up to four times
    its cash, and a price need only hold for two turns."""
    name = "expander"
    description = "Builds at a low hurdle rate, borrowing heavily; outside China unless Chinese."
    traits = Traits(roles=("firm",), aggressiveness=0.6, tags=("grows",))
    HURDLE = 0.9
    CASH_MULTIPLE = 4.0
    MEMORY = 2


class Cautious(_Builder):
    """Builds only on a wide margin that has held for four turns, paid from its own cash, and
    not while it is losing money."""
    name = "cautious"
    description = "Builds only on a high hurdle, from its own cash, and only when profitable."
    traits = Traits(roles=("firm",), aggressiveness=0.1, tags=("conservative",))
    HURDLE = 1.8
    CASH_MULTIPLE = 1.0
    MEMORY = 4

    def _invest(self, pub, me, tables):
        if me["profit"] < 0 or me["debt"] > 2.0 * max(me["cash"], 0.0) + 1.0:
            return None
        return super()._invest(pub, me, tables)


class StateDirected(_Builder):
    """Invests where its home state wants capacity: a state-owned firm builds at a low hurdle
    at home or in friendly countries, and any firm lowers its hurdle where its home state
    has floors in force."""
    name = "state_directed"
    description = "Follows home-state priorities: low hurdle at home and with allies, more under floors."
    traits = Traits(roles=("firm",), aggressiveness=0.4, tags=("state",))
    HURDLE = 1.1
    CASH_MULTIPLE = 3.0

    def _hurdle(self, pub, me) -> float:
        h = 0.7 if me["state_owned"] else self.HURDLE
        if any(f["state"] == me["home"] for f in pub["floors"]):
            h -= 0.2
        return h

    def _hosts(self, pub, me, g: int, tables) -> set[int]:
        home = me["home_row"]
        side = np.sign(pub["alignment"][home]) or 1.0
        hosts = super()._hosts(pub, me, g, tables)
        return {c for c in hosts if c == home or np.sign(pub["alignment"][c]) == side}

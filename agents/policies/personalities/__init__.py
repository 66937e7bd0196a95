"""Personalities: AI opponents with distinct, readable decision logic, three or more per role kind.

great powers: hawk, pragmatist, builder (great_powers.py)
resource states: nationalist, investor_friendly, balancer (resource.py)
middle countries: aligned, hedging, autonomous (middle.py)
firms: expander, cautious, state_directed (firms.py)
"""

from agents.policies.personalities.firms import Cautious, Expander, StateDirected
from agents.policies.personalities.great_powers import Builder, Hawk, Pragmatist
from agents.policies.personalities.middle import Aligned, Autonomous, Hedging
from agents.policies.personalities.resource import Balancer, InvestorFriendly, Nationalist

PERSONALITIES = (Hawk, Pragmatist, Builder, Nationalist, InvestorFriendly, Balancer,
                 Aligned, Hedging, Autonomous, Expander, Cautious, StateDirected)

__all__ = [cls.__name__ for cls in PERSONALITIES] + ["PERSONALITIES"]

"""Phase 2, orders: every seat not played by a person asks its policy for orders.

Each policy sees only its observation (game.observe) and returns orders; people submit
theirs through the API before `step()`. Seats whose policies share a class with a
`decide_batch` method are asked together, so market-wide tables are worked out once.
Nothing in the world changes here.
"""

from __future__ import annotations

from game.history import remember_turn
from game.observe import observe_batch, public_view


def run(model) -> None:
    m = model
    m.public_view = None            # rebuilt once for this turn, shared by all seats
    remember_turn(m, public_view(m))     # later turns' observations show this turn's market
    for item in m.rules.initial_orders:
        if item.turn == m.turn:     # scenario orders scheduled for this turn
            from game.orders import parse_order
            m.submit(item.seat, [parse_order(item.order)], during_turn=True, log=False)
            queue = m.pending_orders[item.seat]       # scenario orders go first, as on replay
            queue.insert(0, queue.pop())
    batches: dict[type, list] = {}
    for agent in sorted(m.agents, key=lambda a: a.unique_id):
        if agent.code in m.human_seats or agent.policy is None:
            continue
        if hasattr(agent.policy, "decide_batch"):
            batches.setdefault(type(agent.policy), []).append(agent)
        else:
            agent.decide()
    for agents in batches.values():
        obs = observe_batch(m, [a.code for a in agents])    # one copy of the public view for all
        rngs = [a.policy_rng() for a in agents]
        decisions = agents[0].policy.decide_batch(obs, rngs)
        for agent, orders in zip(agents, decisions):
            if orders:
                m.submit(agent.code, list(orders), during_turn=True)

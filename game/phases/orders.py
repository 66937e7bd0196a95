"""Phase 2, orders: every seat not played by a person asks its policy for orders.

Each policy sees only its observation (game.observe) and returns orders; people submit
theirs through the API before `step()`. Nothing changes in the world here.
"""

from __future__ import annotations


def run(model) -> None:
    model.public_view = None            # built lazily, once per turn, shared by all seats
    model.agents.shuffle_do("decide")

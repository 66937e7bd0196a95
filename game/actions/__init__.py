"""Order handlers, one module per family; importing this package registers them all."""

from game.actions import controls, diplomacy, industry, money  # noqa: F401  (registration)
from game.actions.base import HANDLERS, Reject

__all__ = ["HANDLERS", "Reject"]

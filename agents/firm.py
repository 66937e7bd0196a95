"""Firms as Mesa agents: miners, refiners, magnet, cell and chip makers."""

from __future__ import annotations

from agents.state import Seat


class Firm(Seat):
    """A firm, state-owned or private, that owns facilities and seeks profit."""
    kind = "firm"

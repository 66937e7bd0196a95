"""Chokepoint: an agent-based strategy game of the critical-minerals contest.

    from game import load_scenario, Game
    game = Game(load_scenario("baseline_2025"), seed=7)
    game.run()
"""

from game.rules import RulesError, load_scenario

__version__ = "0.1.0"


def __getattr__(name):
    # Game pulls in Mesa; import it on first use so that `game.rules` stays light.
    if name in ("Game", "TurnReport"):
        from game import api
        return getattr(api, name)
    raise AttributeError(name)


__all__ = ["Game", "TurnReport", "load_scenario", "RulesError", "__version__"]

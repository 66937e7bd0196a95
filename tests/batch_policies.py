"""A policy that breaks on purpose, to check that a batch records a failing run and goes on."""

from agents.policies.base import Policy, Traits


class BreaksOnTurnTwo(Policy):
    name = "breaks_on_turn_two"
    traits = Traits(roles=("great_power", "middle", "resource", "firm"))
    description = "Plays nothing on turn 1 and raises on turn 2."

    def decide(self, observation, rng):
        if observation["turn"] >= 2:
            raise RuntimeError("this policy breaks on turn two")
        return []


class KillsItsProcessOnce(Policy):
    """Kills the worker process playing it, the first time only (a marker file remembers),
    as the out-of-memory killer would."""
    name = "kills_its_process_once"
    traits = Traits(roles=("great_power", "middle", "resource", "firm"))

    def decide(self, observation, rng):
        import os
        import signal
        marker = os.environ["CHOKEPOINT_TEST_KILL_MARKER"]
        if not os.path.exists(marker):
            open(marker, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)
        return []


class BreaksOnceThenPlays(Policy):
    """Raises the first time it is played (a marker file remembers), then plays nothing: a
    failure that came from the machine, not from the game."""
    name = "breaks_once_then_plays"
    traits = Traits(roles=("great_power", "middle", "resource", "firm"))

    def decide(self, observation, rng):
        import os
        marker = os.environ["CHOKEPOINT_TEST_BREAK_MARKER"]
        if not os.path.exists(marker):
            open(marker, "w").close()
            raise MemoryError("out of memory, this once")
        return []


class KillsItsProcessAlways(Policy):
    """Kills the worker process playing it every time: a run no retry can save."""
    name = "kills_its_process_always"
    traits = Traits(roles=("great_power", "middle", "resource", "firm"))

    def decide(self, observation, rng):
        import os
        import signal
        os.kill(os.getpid(), signal.SIGKILL)
        return []

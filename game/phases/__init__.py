"""The phases of a turn, in the order the engine runs them (DESIGN section 4)."""

from game.phases import adjudication, events, finance, orders, politics, production, scoring

PHASES = (events.run, orders.run, adjudication.run, production.run, finance.run, politics.run, scoring.run,
          adjudication.end_of_turn)

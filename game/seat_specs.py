"""`SEAT=POLICY` specs, as `chokepoint run --seat` and `chokepoint play --seat` take them
and as the new-game screen writes them: one parser for the command line and the window."""

from __future__ import annotations


def seat_policies(scenario, specs: list[str]) -> dict[str, str]:
    """{seat id: policy name} from SEAT=POLICY options, in order (later ones win). SEAT is a
    country or firm id, or a role kind (great_power, middle, resource, firm) for every seat
    of that kind. Raises ValueError naming a bad option."""
    from game.tournament import KINDS, seat_kinds
    kinds = seat_kinds(scenario)
    seats: dict[str, str] = {}
    for spec in specs:
        seat, sep, policy = spec.partition("=")
        seat, policy = seat.strip(), policy.strip()
        if not sep or not seat or not policy:
            raise ValueError(f"--seat {spec!r}: expected SEAT=POLICY, e.g. CN=hawk or firm=expander")
        if seat in kinds:
            ids = [seat]
        elif seat in KINDS:
            ids = [s for s, kind in kinds.items() if kind == seat]
        else:
            raise ValueError(f"--seat {spec!r}: {seat!r} is neither a seat of the scenario "
                             f"nor a role kind ({', '.join(KINDS)})")
        seats.update({i: policy for i in ids})
    return seats

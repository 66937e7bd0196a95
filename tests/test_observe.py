"""Observations: what a seat (a person or an AI policy) may see, as plain data.

A seat sees the public part (prices, output, trade, measures in force) and its own
private part: a state its treasury and stockpiles, a firm its cash and facilities. It does
not see another firm's books, and with the ruleset's fog on it sees other countries'
treasuries only as bands. Observing never changes the game.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from game import Game, load_scenario

HERE = Path(__file__).resolve().parent
SMALL = HERE / "fixtures" / "small" / "small_scenario.yaml"
PLAIN = (str, int, float, bool, type(None), np.integer, np.floating, np.bool_)


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(str(SMALL))


@pytest.fixture()
def game(scenario):
    g = Game(scenario, seed=1, seats={"US": "human"}, turns=6)
    g.submit("US", ["stockpile good=gallium amount=10 max_price=5"])
    g.run(2)
    return g


def walk(value, path="obs"):
    """Yield (path, leaf) for every leaf of an observation."""
    if isinstance(value, dict):
        for k, v in value.items():
            assert isinstance(k, str), f"{path}: key {k!r} is not text"
            yield from walk(v, f"{path}[{k!r}]")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from walk(v, f"{path}[{i}]")
    else:
        yield path, value


def numbers_in(obs) -> list[float]:
    out = []
    for _path, leaf in walk(obs):
        if isinstance(leaf, np.ndarray) and leaf.dtype.kind in "fiu":
            out.extend(float(x) for x in leaf.ravel())
        elif isinstance(leaf, (int, float, np.integer, np.floating)) and not isinstance(leaf, bool):
            out.append(float(leaf))
    return out


@pytest.mark.parametrize("seat", ["US", "ID", "TSINGSHAN"])
def test_an_observation_is_plain_data(game, seat):
    obs = game.observe(seat)
    assert set(obs) == {"seat", "kind", "turn", "public", "private"}
    assert obs["seat"] == seat and obs["turn"] == 2
    for path, leaf in walk(obs):
        assert isinstance(leaf, PLAIN) or isinstance(leaf, np.ndarray), f"{path} is a {type(leaf).__name__}"
    public = obs["public"]
    for key in ("turn", "year", "goods", "countries", "price", "production", "exports", "imports",
                "shortage", "demand", "alignment", "controls", "tariffs", "floors"):
        assert key in public, key
    m = game.model
    assert public["goods"] == m.goods.ids and public["countries"] == m.countries.ids
    assert public["price"].shape == (len(m.countries), len(m.goods))
    assert np.array_equal(public["price"], m.price)


def test_every_seat_sees_the_same_public_part(game):
    a, b = game.observe("US"), game.observe("BHP")
    assert a["public"].keys() == b["public"].keys()
    for key in ("price", "production", "exports"):
        assert np.array_equal(a["public"][key], b["public"][key])


def test_a_state_sees_its_own_money_and_stockpile(game):
    m = game.model
    us = game.observe("US")["private"]
    assert us["treasury"] == pytest.approx(m.treasury[m.countries["US"]])
    assert np.array_equal(us["stockpile"], m.stockpile[m.countries["US"]])
    assert us["stockpile"][m.goods["gallium"]] > 0                 # what it bought on turn 1


def test_a_firm_sees_its_facilities_but_not_another_firms_cash(game):
    m = game.model
    bhp = m.firms["BHP"]
    m.cash[bhp] = 4321.123456789           # a figure that cannot turn up by chance
    m.debt[bhp] = 987.654321
    obs = game.observe("TSINGSHAN")
    private = obs["private"]
    assert private["firm"] == "TSINGSHAN"
    assert private["cash"] == pytest.approx(m.cash[m.firms["TSINGSHAN"]])
    assert sorted(private["facilities"]["id"]) == ["ts_ore_id", "ts_ref_cn", "ts_ref_id"]
    seen = numbers_in(obs)
    assert not any(math.isclose(x, 4321.123456789) for x in seen)
    assert not any(math.isclose(x, 987.654321) for x in seen)
    texts = [leaf for _p, leaf in walk(obs) if isinstance(leaf, str)]
    assert not any(fid.startswith("bhp_") for fid in texts)     # nor BHP's plants
    # and BHP itself does see them
    own = game.observe("BHP")["private"]
    assert own["cash"] == pytest.approx(4321.123456789)
    assert sorted(own["facilities"]["id"]) == ["bhp_ore_au", "bhp_ref_au"]


def test_with_fog_other_treasuries_are_only_bands(game):
    assert game.scenario.observation.fog
    m = game.model
    us = game.observe("US")["private"]
    seen = us["others_treasury"]
    cn = m.countries["CN"]
    assert seen[cn] != pytest.approx(m.treasury[cn], rel=1e-9)
    for value, exact in zip(seen, m.treasury):
        if exact > 0:
            k = math.log2(value / 100.0)
            assert value >= 100 and k == round(k), value              # 100 M$ times a power of two
            assert 0.7 * exact <= value <= 1.42 * exact or exact < 100  # the right size
    assert us["treasury"] == pytest.approx(m.treasury[m.countries["US"]])   # one's own: exact


def test_without_fog_other_treasuries_are_exact(tmp_path):
    clear = tmp_path / "clear.yaml"
    clear.write_text(f"extends: {SMALL}\nname: clear\nobservation: {{fog: false}}\n", encoding="utf-8")
    game = Game(load_scenario(str(clear)), seed=1, turns=3)
    game.step()
    seen = game.observe("US")["private"]["others_treasury"]
    assert np.array_equal(seen, game.model.treasury)


def _arrays(obs):
    return [(p, leaf) for p, leaf in walk(obs) if isinstance(leaf, np.ndarray)]


@pytest.mark.parametrize("seat", ["US", "ID"])
def test_a_states_market_and_own_arrays_are_read_only(game, seat):
    obs = game.observe(seat)
    arrays = [(p, a) for p, a in _arrays(obs) if "['build']" not in p]     # build table: see below
    assert len(arrays) > 15
    for path, a in arrays:
        assert not a.flags.writeable, path
        if a.size:
            with pytest.raises(ValueError):
                a.reshape(-1)[0] = 1e9
    assert np.all(game.model.price < 1e9)                # and the world is as it was


def test_the_build_table_in_the_observation_is_read_only(game):
    build = game.observe("TSINGSHAN")["public"]["build"]
    for key, a in build.items():
        if isinstance(a, np.ndarray):
            assert not a.flags.writeable, key


def test_a_firms_observation_arrays_are_read_only(game):
    for path, a in _arrays(game.observe("TSINGSHAN")):
        assert not a.flags.writeable, path


def test_editing_an_observation_changes_nothing_else(game):
    m = game.model
    countries, goods = list(m.countries.ids), list(m.goods.ids)
    obs = game.observe("CN")
    obs["public"]["countries"].reverse()
    obs["public"]["goods"].append("mithril")
    obs["public"]["controls"].append({"issuer": "CN", "good": "gallium", "target": "US", "mode": "ban"})
    assert m.countries.ids == countries and m.goods.ids == goods
    other = game.observe("US")["public"]
    assert other["countries"] == countries and other["goods"] == goods
    assert all(c["issuer"] != "CN" or c["good"] != "gallium" for c in other["controls"])


def test_observing_does_not_change_the_game(scenario):
    watched = Game(scenario, seed=4, seats={"US": "human"}, turns=4)
    unwatched = Game(scenario, seed=4, seats={"US": "human"}, turns=4)
    seats = list(watched.model.seat_agent)
    for _turn in range(3):
        before = watched.digest()
        for seat in seats:
            watched.observe(seat)
        assert watched.digest() == before
        for g in (watched, unwatched):
            g.submit("US", "stockpile good=gallium amount=6 max_price=5")
        assert watched.step().digest == unwatched.step().digest


def test_an_unknown_seat_cannot_observe(game):
    with pytest.raises(KeyError, match="ATLANTIS"):
        game.observe("ATLANTIS")


def test_editing_the_history_of_an_observation_changes_nobody_elses(game):
    from game import history
    game.submit("CN", ["export_control good=gallium target=US mode=ban"])
    game.run(2)                          # in force, and seen by the next turn's record
    mine = game.observe("US")["public"]["history"]
    assert mine and any(rec["controls"] for rec in mine)
    for rec in mine:                     # a policy scribbling notes into what it was shown
        rec["memo"] = True
        for ctl in rec["controls"]:
            ctl["mode"] = "scribbled"
    for seat in ("JP", "US"):
        for rec in game.observe(seat)["public"]["history"]:
            assert "memo" not in rec
            assert all(ctl["mode"] != "scribbled" for ctl in rec["controls"])
    for rec in history.past(game.model):
        assert "memo" not in rec and all(ctl["mode"] != "scribbled" for ctl in rec["controls"])

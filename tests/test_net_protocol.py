"""The LAN protocol: what a message may be, tokens and proofs, arrays through JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest

from game.net import protocol as P


def test_a_valid_submit_parses_into_its_type():
    msg = P.parse_client(json.dumps({"type": "submit", "seq": 3, "seat": "US", "turn": 2,
                                     "orders": ["stockpile good=gallium amount=1"]}))
    assert isinstance(msg, P.Submit) and msg.seq == 3 and msg.orders == ["stockpile good=gallium amount=1"]


@pytest.mark.parametrize("raw, words", [
    ("{not json", "not JSON"),
    ("[1, 2]", "JSON object with a 'type'"),
    ('{"type": "launch_missiles", "seq": 1}', "bad 'launch_missiles' message"),
    ('{"type": "submit", "seq": 0, "seat": "US", "turn": 0, "orders": ["x"]}', "seq"),
    ('{"type": "submit", "seq": 1, "seat": "US", "turn": 0, "orders": []}', "orders"),
    ('{"type": "submit", "seq": 1, "seat": "U S", "turn": 0, "orders": ["x"]}', "seat"),
    ('{"type": "ready", "seq": 1, "seat": "US", "turn": 0, "extra": 1}', "extra"),
    ('{"type": "hello", "proof": "zz", "client": "abcd"}', "proof"),
])
def test_a_bad_message_is_refused_with_its_reason(raw, words):
    with pytest.raises(P.ProtocolError, match=words):
        P.parse_client(raw)


def test_a_message_over_the_size_limit_is_refused_before_it_is_parsed():
    huge = json.dumps({"type": "submit", "seq": 1, "seat": "US", "turn": 0, "orders": ["x" * 100] * 20000})
    assert len(huge) > P.MAX_MESSAGE
    with pytest.raises(P.ProtocolError, match="too big"):
        P.parse_client(huge)
    with pytest.raises(P.ProtocolError, match="too big"):
        P.parse_client(huge.encode())


def test_too_many_orders_or_too_long_an_order_is_refused():
    many = {"type": "submit", "seq": 1, "seat": "US", "turn": 0, "orders": ["x"] * (P.MAX_ORDERS + 1)}
    with pytest.raises(P.ProtocolError, match="orders"):
        P.parse_client(json.dumps(many))
    long = {**many, "orders": ["x" * (P.MAX_TEXT + 1)]}
    with pytest.raises(P.ProtocolError, match="orders"):
        P.parse_client(json.dumps(long))


def test_tokens_are_random_and_proofs_bind_them_to_one_nonce():
    a, b = P.new_token(), P.new_token()
    assert a != b and len(a) >= 40
    assert not any(P.new_token().startswith("-") for _ in range(2000))    # `--token T` must parse
    n1, n2 = P.new_nonce(), P.new_nonce()
    assert P.proof_matches(a, n1, P.proof(a, n1))
    assert not P.proof_matches(b, n1, P.proof(a, n1))           # another token
    assert not P.proof_matches(a, n2, P.proof(a, n1))           # a proof replayed on another connection
    assert not P.proof_matches(a, n1, "")


def test_observation_arrays_survive_json():
    value = {"price": np.arange(6.0).reshape(2, 3), "ids": np.array(["a", "b"], dtype=object),
             "n": np.int64(3), "rows": ({"x": np.array([True, False])},)}
    back = P.decode_value(json.loads(json.dumps(P.encode_value(value))))
    assert back["price"].shape == (2, 3) and back["price"].dtype == float
    assert np.array_equal(back["price"], value["price"])
    assert back["ids"].dtype == object and list(back["ids"]) == ["a", "b"]
    assert back["n"] == 3 and back["rows"][0]["x"].dtype == bool


def test_a_real_observation_round_trips():
    from game.api import Game
    game = Game("baseline_2025", seed=1, seats={"US": "human"}, turns=2)
    game.step()
    obs = game.observe("US")
    back = P.decode_value(json.loads(json.dumps(P.encode_value(obs))))
    assert back["private"]["treasury"] == obs["private"]["treasury"]
    assert np.array_equal(back["public"]["imports"], obs["public"]["imports"])
    assert list(back["private"]["facilities"]["id"]) == list(obs["private"]["facilities"]["id"])

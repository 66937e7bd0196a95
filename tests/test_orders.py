"""Tests for game.orders: text form, parsing, registry, JSON dicts, errors."""

import dataclasses
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.orders import (
    ORDER_TYPES,
    ExportControl,
    LiftControl,
    Nationalize,
    Order,
    OrderSyntaxError,
    PriceFloor,
    ProposeDeal,
    Stockpile,
    SuspendControl,
    Tariff,
    TechControl,
    describe_actions,
    order_from_dict,
    parse_order,
    split_orders,
)

EXAMPLES = [
    "export_control good=gallium target=US mode=ban",
    "lift_control good=gallium target=US",
    "ore_export_ban good=nickel_ore",
    "nationalize facility=kamoa_kakula compensation=0.5",
    "build type=refinery good=nickel_refined country=ID capacity=50",
    "price_floor good=ndpr_oxide price=110 volume=5 turns=20",
    "stockpile good=gallium amount=10",
    "subsidy firm=MP amount=100",
    "tariff good=battery_cell target=CN rate=0.25",
    "chip_control target=CN",
    'propose_deal to=US give="suspend_control good=gallium target=US turns=4" '
    'ask="lift_control good=advanced_chip target=CN"',
]

EXPECTED_ACTIONS = """
    export_control lift_control suspend_control tariff enforcement chip_control
    tech_control subsidy equity_stake price_floor offtake dev_loan state_lending
    stockpile release_stockpile nationalize ore_export_ban permit_reform
    recycling_programme substitution_rd propose_deal accept_deal reject_deal
    pressure export_subsidy producer_quota governance_standard build expand idle
    reopen close apply_licence transship relocate sell_stake accept_stake
""".split()


# --- fixed examples -----------------------------------------------------------

@pytest.mark.parametrize("text", EXAMPLES)
def test_examples_round_trip_exactly(text):
    order = parse_order(text)
    assert order.text() == text
    assert str(order) == text
    assert parse_order(order.text()) == order


def test_example_values():
    assert parse_order(EXAMPLES[0]) == ExportControl(good="gallium", target="US")
    assert parse_order(EXAMPLES[5]) == PriceFloor("ndpr_oxide", 110.0, 5.0, 20)
    deal = parse_order(EXAMPLES[-1])
    assert isinstance(deal, ProposeDeal) and deal.to == "US"
    assert deal.give_orders() == [SuspendControl("gallium", "US", 4)]
    assert deal.ask_orders() == [LiftControl("advanced_chip", "CN")]


# --- registry and help ----------------------------------------------------------

def test_registry_holds_every_action_with_matching_class_name():
    assert list(ORDER_TYPES) == EXPECTED_ACTIONS
    for action, cls in ORDER_TYPES.items():
        assert cls.action == action
        assert cls.__name__.lower() == action.replace("_", "")
        assert dataclasses.is_dataclass(cls) and issubclass(cls, Order)


def test_every_order_has_a_one_line_docstring():
    for cls in ORDER_TYPES.values():
        doc = (cls.__doc__ or "").strip()
        assert doc and "\n" not in doc and not doc.startswith(cls.__name__ + "(")


def test_describe_actions():
    rows = {action: (sig, doc) for action, sig, doc in describe_actions()}
    assert list(rows) == EXPECTED_ACTIONS
    assert rows["tariff"][0] == "good=<str> target=<str> rate=<float>"
    assert rows["dev_loan"][0] == "country=<str> amount=<float> [turns=10]"
    assert rows["nationalize"][0] == '[facility=""] [firm=""] [compensation=0.5]'
    assert rows["permit_reform"][0] == ""
    assert rows["subsidy"][1] == ORDER_TYPES["subsidy"].__doc__


def test_duplicate_action_is_refused():
    with pytest.raises(TypeError, match="already registered"):
        class Again(Order, action="tariff"):
            """A second tariff."""
    assert ORDER_TYPES["tariff"] is Tariff


def test_unsupported_field_type_is_refused():
    with pytest.raises(TypeError, match="unsupported type"):
        class Listy(Order, action="listy", register=False):
            """Has a list field."""
            items: list
    assert "listy" not in ORDER_TYPES


# --- the text form ----------------------------------------------------------------

@pytest.mark.parametrize("value, text", [
    (110.0, "110"), (0.1, "0.1"), (1e-9, "1e-09"), (1234567.875, "1234567.875"),
    (-2.5, "-2.5"), (-3.0, "-3"), (1e16, "1e+16"), (3, "3"),
])
def test_float_text(value, text):
    order = Tariff("g", "t", value)
    assert order.text() == f"tariff good=g target=t rate={text}"
    assert parse_order(order.text()).rate == value


@pytest.mark.parametrize("value, written", [
    ("plain_name-1.5", "plain_name-1.5"),
    ("two words", '"two words"'),
    ("a=b", '"a=b"'),
    ("", '""'),
    ('say "hi"', r'"say \"hi\""'),
    ("back\\slash", r'"back\\slash"'),
    ("it's", '"it\'s"'),
    ("semi;colon", '"semi;colon"'),
    ("#hash", '"#hash"'),
])
def test_string_quoting(value, written):
    order = LiftControl(good=value, target="US")
    assert order.text() == f"lift_control good={written} target=US"
    assert parse_order(order.text()) == order


def test_defaults_omitted_except_shown_fields_and_field_order_kept():
    assert Stockpile("gallium", 10).text() == "stockpile good=gallium amount=10"
    assert Stockpile("gallium", 10, 3.5).text() == "stockpile good=gallium amount=10 max_price=3.5"
    order = ExportControl("gallium", "US", mode="licence", delay=2, approval=0.25)
    assert order.text() == ("export_control good=gallium target=US mode=licence "
                            "approval=0.25 delay=2")
    messy = parse_order("  tariff rate=0.25   target=CN good=battery_cell ")
    assert messy.text() == "tariff good=battery_cell target=CN rate=0.25"


def test_params_dict_and_json():
    order = Tariff("battery_cell", "CN", 0.25)
    assert order.params() == {"good": "battery_cell", "target": "CN", "rate": 0.25}
    assert order.to_dict() == {"action": "tariff", **order.params()}
    assert order_from_dict(json.loads(json.dumps(order.to_dict()))) == order


def test_parse_accepts_an_order_and_orders_are_frozen_and_hashable():
    order = Tariff("battery_cell", "CN", 0.25)
    assert parse_order(order) is order
    with pytest.raises(dataclasses.FrozenInstanceError):
        order.rate = 0.5
    assert len({order, Tariff("battery_cell", "CN", 0.25)}) == 1


def test_quoted_values_with_spaces_and_equals():
    order = parse_order('subsidy firm="Lynas Rare=Earths" amount=1')
    assert order.params() == {"firm": "Lynas Rare=Earths", "amount": 1.0}
    assert parse_order('subsidy firm=MP amount="2.5"').amount == 2.5


def test_an_order_that_is_not_text_is_a_syntax_error_and_the_game_goes_on():
    """A policy that returns None (or a number) instead of an order gets a rejection with a
    reason; the turn is played."""
    from game import Game, load_scenario
    for bad in (None, 42):
        with pytest.raises(OrderSyntaxError):
            parse_order(bad)
    game = Game(load_scenario("tests/fixtures/small/small_scenario.yaml"), seed=1, turns=1)
    game.model.submit("US", [None])
    report = game.step()
    assert report.turn == 1
    assert [(seat, why) for seat, _text, why in report.rejected if seat == "US"] == \
        [("US", "cannot read order None: an order is text or an Order, not NoneType")]


# --- coercion ----------------------------------------------------------------------

def test_coercion_of_values():
    assert Tariff("g", "t", 1).rate == 1.0 and isinstance(Tariff("g", "t", 1).rate, float)
    assert order_from_dict({"action": "suspend_control", "good": "g", "target": "t",
                            "turns": 4.0}).turns == 4
    for bad in (float("nan"), float("inf"), -float("inf"), True, None, "abc"):
        with pytest.raises(OrderSyntaxError, match="rate must be a"):
            Tariff("g", "t", bad)
    for bad in ("nan", "inf", "-inf", "Infinity"):
        with pytest.raises(OrderSyntaxError, match="finite"):
            parse_order(f"tariff good=g target=t rate={bad}")
    for bad in ("2.5", "four", 2.5, True):
        with pytest.raises(OrderSyntaxError, match="turns must be a whole number"):
            SuspendControl("g", "t", bad)
    with pytest.raises(OrderSyntaxError, match="good must be text, got 5"):
        LiftControl(5, "US")
    with pytest.raises(OrderSyntaxError, match="line break"):
        LiftControl("two\nlines", "US")


class _Flagged(Order, action="flagged", register=False):
    """Test-only order with a bool field."""
    name: str
    loud: bool = False


@pytest.fixture
def flagged(monkeypatch):
    monkeypatch.setitem(ORDER_TYPES, "flagged", _Flagged)
    return _Flagged


@pytest.mark.parametrize("word, value", [
    ("true", True), ("yes", True), ("1", True), ("TRUE", True),
    ("false", False), ("no", False), ("0", False), ("No", False),
])
def test_bool_fields(flagged, word, value):
    order = parse_order(f"flagged name=x loud={word}")
    assert order.loud is value
    assert order.text() == ("flagged name=x loud=true" if value else "flagged name=x")


def test_bad_bool(flagged):
    with pytest.raises(OrderSyntaxError, match="loud must be true/false/yes/no/1/0, got 'maybe'"):
        parse_order("flagged name=x loud=maybe")


def test_unregistered_class_is_not_in_registry():
    assert "flagged" not in ORDER_TYPES


# --- error messages ----------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ("", "empty order"),
    ("   ", "empty order"),
    ("tarif good=g target=t rate=1", "unknown action 'tarif'; did you mean tariff"),
    ("export_contrl good=g target=t", "did you mean export_control"),
    ("frobnicate", "unknown action 'frobnicate'"),
    ("tariff good=g target=t rat=1", "tariff has no key 'rat'; valid keys: good, target, rate"),
    ("tariff good=g target=t", "missing required key(s) 'rate'"),
    ("price_floor good=g", "missing required key(s) 'price', 'volume', 'turns'"),
    ("tariff good=g target=t rate=abc", "rate must be a number, got 'abc'"),
    ("tariff good=g good=h target=t rate=1", "duplicate key 'good'"),
    ("tariff good=g target rate=1", "expected key=value, got 'target'"),
    ("tariff good=g =t rate=1", "expected key=value, got '=t'"),
    ('tariff good="g target=t rate=1', "No closing quotation"),
    ("export_control good=g target=t mode=embargo", "mode must be one of ban, licence, quota"),
    ("tech_control area=chips target=CN", "area must be one of processing, magnet, battery"),
    ("nationalize", "exactly one of facility= or firm="),
    ("nationalize facility=a firm=b", "exactly one of facility= or firm="),
    ("permit_reform now=1", "permit_reform has no key 'now'; valid keys: none"),
])
def test_syntax_errors(text, message):
    with pytest.raises(OrderSyntaxError, match=re.escape(message)):
        parse_order(text)


def test_syntax_error_is_a_value_error():
    assert issubclass(OrderSyntaxError, ValueError)


def test_order_from_dict_errors():
    with pytest.raises(OrderSyntaxError, match="needs a text 'action'"):
        order_from_dict({"good": "g"})
    with pytest.raises(OrderSyntaxError, match="did you mean tariff"):
        order_from_dict({"action": "tarrif"})
    with pytest.raises(OrderSyntaxError, match="has no key 'colour'"):
        order_from_dict({"action": "idle", "facility": "f", "colour": "red"})


# --- local validation ------------------------------------------------------------

def test_valid_modes_and_areas():
    for mode in ("ban", "licence", "quota"):
        assert ExportControl("g", "t", mode=mode).mode == mode
    for area in ("processing", "magnet", "battery"):
        assert TechControl(area, "CN").area == area
    assert Nationalize(firm="MP").text() == "nationalize firm=MP compensation=0.5"


def test_deal_parts():
    deal = ProposeDeal("CN", 'subsidy firm="a;b c" amount=1; tariff good=g target=t rate=0.1;', "")
    assert [o.action for o in deal.give_orders()] == ["subsidy", "tariff"]
    assert deal.give_orders()[0].firm == "a;b c"
    assert deal.ask_orders() == []
    assert parse_order(deal.text()) == deal


def test_bad_deal_names_the_bad_part():
    with pytest.raises(OrderSyntaxError, match=r"bad ask part 'lift_control good=g'.*'target'"):
        ProposeDeal("US", "stockpile good=g amount=1", "lift_control good=g")
    with pytest.raises(OrderSyntaxError, match="bad give part 'tarif x=1'.*did you mean tariff"):
        parse_order('propose_deal to=US give="tarif x=1" ask=""')


def test_split_orders():
    assert split_orders("") == []
    assert split_orders(" a ;; b ") == ["a", "b"]
    assert split_orders(r'x k="q\";r"; y') == [r'x k="q\";r"', "y"]
    assert split_orders("x k='a;b'; y") == ["x k='a;b'", "y"]


# --- property: every order round-trips ---------------------------------------------

AWKWARD = ["", " ", "a b", "x=y", "=", '"', "'", "\\", 'say "hi"', "semi;colon",
           "tab\there", "#", "ünïcode", "-lead", "true", "1e5", "nan", "\\\"", "\x00"]
texts = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r\n"))
texts = texts.filter(lambda s: not s or s.splitlines() == [s])
strings = st.one_of(st.sampled_from(AWKWARD), texts)
floats = st.one_of(
    st.sampled_from([0.1, 1e-9, 1234567.875, -0.5, -42.0, 110.0, 0.0, -0.0, 1e300, 5e-324]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-10**6, 10**6),
)
BY_TYPE = {str: strings, float: floats, int: st.integers(), bool: st.booleans()}
SPECIAL = {
    ("export_control", "mode"): st.sampled_from(["ban", "licence", "quota"]),
    ("tech_control", "area"): st.sampled_from(["processing", "magnet", "battery"]),
}


def field_strategy(cls, f):
    base = SPECIAL.get((cls.action, f.name), BY_TYPE[f.type])
    if f.default is not dataclasses.MISSING:
        return st.one_of(st.just(f.default), base)
    return base


def order_strategy(cls):
    spec = {f.name: field_strategy(cls, f) for f in dataclasses.fields(cls)}
    return st.fixed_dictionaries(spec).map(lambda kw: cls(**kw))


STRATEGIES = {action: order_strategy(cls) for action, cls in ORDER_TYPES.items()}
STRATEGIES["nationalize"] = st.one_of(
    st.builds(Nationalize, facility=strings.filter(bool), compensation=floats),
    st.builds(Nationalize, firm=strings.filter(bool), compensation=floats),
)
plain_orders = st.one_of(*[s for a, s in STRATEGIES.items() if a != "propose_deal"])
order_lists = st.lists(plain_orders, max_size=3).map(lambda os: "; ".join(o.text() for o in os))
STRATEGIES["propose_deal"] = deal_orders = st.builds(
    ProposeDeal, to=strings, give=order_lists, ask=order_lists)
all_orders = st.one_of(*STRATEGIES.values())


@settings(max_examples=600)
@given(all_orders)
def test_every_order_round_trips_through_text(order):
    text = order.text()
    assert len(text.splitlines()) == 1
    parsed = parse_order(text)
    assert parsed == order
    assert type(parsed) is type(order)
    assert parsed.text() == text


@given(all_orders)
def test_every_order_round_trips_through_json(order):
    data = json.loads(json.dumps(order.to_dict()))
    assert order_from_dict(data) == order


@given(deal_orders)
def test_deal_parts_parse_back(deal):
    parsed = parse_order(deal.text())
    assert [o.text() for o in parsed.give_orders()] == split_orders(deal.give)
    assert [o.text() for o in parsed.ask_orders()] == split_orders(deal.ask)


@pytest.mark.parametrize("action", EXPECTED_ACTIONS)
def test_each_class_round_trips(action):
    """Each class on its own, so none is starved by the mixed strategy."""

    @settings(max_examples=40)
    @given(STRATEGIES[action])
    def check(order):
        assert type(order) is ORDER_TYPES[action]
        assert parse_order(order.text()) == order
        assert order_from_dict(json.loads(json.dumps(order.to_dict()))) == order

    check()

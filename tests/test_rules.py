"""Tests of game.rules: schema, loader, extends overlays, line numbers, cross checks."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

import game.rules.loader as loader_module
import game.rules.overlay as overlay_module
from game.rules import (IMPLEMENTED_ACTIONS, RulesError, Ruleset, Scenario, WorldMap, load_map,
                        load_ruleset, load_scenario, validate_paths)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rules"
MINI_FILES = ("mini_ruleset.yaml", "mini_map.yaml", "mini_scenario.yaml")


# ---- helpers ---------------------------------------------------------------------------

@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A private copy of the mini scenario's three files."""
    for name in MINI_FILES:
        shutil.copy(FIXTURES / name, tmp_path / name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} should occur once in {path.name}"
    path.write_text(text.replace(old, new))


def line_of(path: Path, needle: str) -> int:
    for number, text in enumerate(path.read_text().splitlines(), 1):
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def errors_loading(load, path: Path) -> list[RulesError]:
    with pytest.raises(RulesError) as info:
        load(str(path))
    return info.value.errors


def the_error(errors: list[RulesError], path: str) -> RulesError:
    matching = [err for err in errors if err.path == path]
    assert matching, f"no error at {path}; got:\n" + "\n".join(map(str, errors))
    return matching[0]


def assert_error_at(errors, path: str, file: Path, needle: str, text: str = "") -> RulesError:
    err = the_error(errors, path)
    assert err.file == str(file)
    assert err.line == line_of(file, needle)
    assert text in err.message
    assert str(err) == f"{file}:{err.line}: {path}: {err.message}"
    return err


def scenario_errors(mini: Path) -> list[RulesError]:
    return errors_loading(load_scenario, mini / "mini_scenario.yaml")


# ---- valid files -----------------------------------------------------------------------

def test_base_ruleset_loads():
    rules = load_ruleset(REPO / "rulesets" / "base.yaml")
    assert isinstance(rules, Ruleset)
    assert rules.name == "base"
    assert set(rules.actions) == IMPLEMENTED_ACTIONS
    assert rules.facility_types["recycling"].unit_cost_multiple == 0.9
    assert rules.facility_types["mine"].unit_cost_multiple == 1.0
    assert rules.goods["ndpr_oxide"].stage == "refined"
    assert rules.recipes["battery_cell"].inputs["copper_refined"] == 0.6
    assert rules.calendar.turn_months == 6
    assert len(rules.hashes["ruleset"]) == 64
    assert [p.name for p in rules.source_files] == ["base.yaml"]
    assert validate_paths([REPO / "rulesets" / "base.yaml"]) == []


def test_base_topological_goods_puts_inputs_first():
    rules = load_ruleset(REPO / "rulesets" / "base.yaml")
    order = rules.topological_goods()
    assert sorted(order) == sorted(rules.goods)
    place = {good: index for index, good in enumerate(order)}
    for output, recipe in rules.recipes.items():
        assert all(place[good] < place[output] for good in recipe.inputs)


def test_mini_scenario_loads(mini):
    scenario = load_scenario(mini / "mini_scenario.yaml")
    assert isinstance(scenario, Scenario)
    assert scenario.name == "mini_scenario" and scenario.map_name == "mini_world"
    assert scenario.calendar.turns == 6 and scenario.calendar.start_year == 2025
    assert scenario.countries["CN"].member_of is None
    assert scenario.countries["US"].position == (-98.0, 39.0)
    assert scenario.countries["CD"].investor_risk == 0.3          # a default
    assert scenario.firms["REFCO"].state_owned is True
    facility = scenario.firms["REFCO"].facilities[1]
    assert (facility.status, facility.turns_left) == ("construction", 3)
    assert scenario.firms["ROCKCO"].facilities[0].turns_left == 0
    assert scenario.initial_orders[0].turn == 0
    assert scenario.scheduled_events[1].params == {"country": "CD"}
    assert scenario.seats == {"US": "builder", "REFCO": "default"}
    assert scenario.actions["build"].enabled is True
    assert scenario.topological_goods() == ["gallium", "rock", "metal", "magnet"]
    assert [p.name for p in scenario.source_files] == [
        "mini_scenario.yaml", "mini_ruleset.yaml", "mini_map.yaml"]
    assert set(scenario.hashes) == {"ruleset", "map"}


def test_load_map_and_ruleset_of_a_scenario(mini):
    world = load_map(mini / "mini_scenario.yaml")
    assert isinstance(world, WorldMap) and set(world.countries) == {"US", "CN", "CD"}
    assert world.hashes["map"] == load_scenario(mini / "mini_scenario.yaml").hashes["map"]
    rules = load_ruleset(mini / "mini_scenario.yaml")
    assert rules.calendar.turns == 6 and type(rules) is Ruleset


def test_hashes_ignore_paths_and_follow_content(tmp_path):
    copies = []
    for folder in ("one", "two/deeper"):
        target = tmp_path / folder
        target.mkdir(parents=True)
        for name in MINI_FILES:
            shutil.copy(FIXTURES / name, target / name)
        copies.append(target)
    first, second = (load_scenario(c / "mini_scenario.yaml").hashes for c in copies)
    assert first == second
    edit(copies[1] / "mini_ruleset.yaml", "price: 60.0", "price: 61.0")
    changed = load_scenario(copies[1] / "mini_scenario.yaml").hashes
    assert changed["ruleset"] != first["ruleset"] and changed["map"] == first["map"]


def test_yaml_12_booleans_keep_norway(mini):
    edit(mini / "mini_map.yaml", "  CD:\n", "  NO:\n    name: Norway\n    kind: middle\n"
         "    role: western_power\n    position: [10, 60]\n    gdp: 480\n  CD:\n")
    scenario = load_scenario(mini / "mini_scenario.yaml")
    assert "NO" in scenario.countries


# ---- extends ---------------------------------------------------------------------------

def test_overlay_merges_replaces_and_deletes():
    rules = load_ruleset(FIXTURES / "overlay_ruleset.yaml")
    assert rules.name == "mini_overlay"
    assert rules.goods["metal"].price == 75.0                 # merged key by key ...
    assert rules.goods["metal"].name == "Refined metal"       # ... the rest kept
    assert rules.goods["tin"].unit == "kt"                    # added
    assert rules.facility_types["refinery"].goods == ["metal", "tin"]   # a list replaces
    assert "surge" not in rules.events and rules.politics == {}          # null deletes
    assert [p.name for p in rules.source_files] == ["overlay_ruleset.yaml", "mini_ruleset.yaml"]


def test_error_in_overlay_names_the_overlay(mini):
    overlay = mini / "variant.yaml"
    overlay.write_text("extends: mini_ruleset.yaml\nname: variant\ngoods:\n"
                       "  metal:\n    price: -5\n")
    errors = errors_loading(load_ruleset, overlay)
    assert_error_at(errors, "goods.metal.price", overlay, "price: -5", "greater than 0")


def test_error_below_an_overlay_names_the_base(mini):
    edit(mini / "mini_ruleset.yaml", "price: 0.6", "price: cheap")
    overlay = mini / "variant.yaml"
    overlay.write_text("extends: mini_ruleset.yaml\nname: variant\ngoods:\n"
                       "  metal:\n    price: 61.0\n")
    errors = errors_loading(load_ruleset, overlay)
    assert len(errors) == 1
    assert_error_at(errors, "goods.gallium.price", mini / "mini_ruleset.yaml", "price: cheap",
                    "valid number")


def test_overridden_bad_value_is_no_error(mini):
    edit(mini / "mini_ruleset.yaml", "price: 0.6", "price: cheap")
    overlay = mini / "variant.yaml"
    overlay.write_text("extends: mini_ruleset.yaml\nname: variant\ngoods:\n"
                       "  gallium:\n    price: 0.7\n")
    assert load_ruleset(overlay).goods["gallium"].price == 0.7


def test_scenario_overrides_map_values_with_provenance(mini):
    scenario_file = mini / "mini_scenario.yaml"
    scenario_file.write_text(scenario_file.read_text()
                             + "countries:\n  CD:\n    stability: 0.1\n    gdp: -1\n")
    errors = scenario_errors(mini)
    assert len(errors) == 1
    assert_error_at(errors, "countries.CD.gdp", scenario_file, "gdp: -1", "greater than 0")
    edit(scenario_file, "gdp: -1", "gdp: 75")
    assert load_scenario(scenario_file).countries["CD"].stability == 0.1


def test_extends_cycle_is_an_error():
    errors = validate_paths([FIXTURES / "cycle_a.yaml"])
    assert len(errors) == 1
    assert errors[0].path == "extends" and errors[0].line == 1
    assert "extends cycle" in errors[0].message


def test_missing_extended_file(mini):
    overlay = mini / "variant.yaml"
    overlay.write_text("# a comment\nextends: nowhere_to_be_found.yaml\nname: x\n")
    errors = errors_loading(load_ruleset, overlay)
    assert (errors[0].file, errors[0].line, errors[0].path) == (str(overlay), 2, "extends")


# ---- YAML-level errors -----------------------------------------------------------------

def test_yaml_syntax_error_has_file_and_line():
    path = FIXTURES / "syntax_error.yaml"
    errors = validate_paths([path])
    assert len(errors) == 1
    assert errors[0].file == str(path) and errors[0].line == 6
    assert str(errors[0]).startswith(f"{path}:6: YAML syntax error")


def test_duplicate_key_is_an_error():
    path = FIXTURES / "duplicate_key.yaml"
    errors = validate_paths([path])
    assert [(e.path, e.line) for e in errors] == [("goods.rock", 4)]


def test_bad_bytes_and_empty_file(tmp_path):
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"name: x\ngoods:\n  a: \xff\xfe\n")
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing\n")
    errors = validate_paths([binary, empty, tmp_path / "missing.yaml"])
    assert [(e.file, e.line) for e in errors] == [
        (str(binary), 3), (str(empty), 1), (str(tmp_path / "missing.yaml"), None)]
    assert str(errors[2]) == f"{tmp_path / 'missing.yaml'}: file not found"


# ---- type errors -----------------------------------------------------------------------

def test_type_errors_are_all_reported_with_lines(mini):
    map_file = mini / "mini_map.yaml"
    edit(map_file, "reserves: {rock: 100}", "reserves: {rock: lots}")
    edit(map_file, "capacity: 45", "capacity: -45")
    edit(map_file, "    gdp: 18000\n", "")
    edit(map_file, "    stability: 0.3\n", "    stabilty: 0.3\n")
    errors = scenario_errors(mini)
    assert len(errors) == 4
    assert_error_at(errors, "countries.CD.reserves.rock", map_file, "rock: lots", "valid number")
    assert_error_at(errors, "firms.ROCKCO.facilities.0.capacity", map_file, "capacity: -45")
    assert_error_at(errors, "countries.CN.gdp", map_file, "  CN:", "Field required")
    assert_error_at(errors, "countries.CD.stabilty", map_file, "stabilty", "Extra inputs")


def test_boolean_is_not_a_number(mini):
    edit(mini / "mini_ruleset.yaml", "price: 4.0", "price: true")
    errors = scenario_errors(mini)
    assert_error_at(errors, "goods.rock.price", mini / "mini_ruleset.yaml", "price: true")


def test_rules_error_format_and_pickle(mini):
    edit(mini / "mini_map.yaml", "gdp: 70", "gdp: -70")
    edit(mini / "mini_map.yaml", "debt: 700", "debt: -700")
    with pytest.raises(RulesError) as info:
        load_scenario(mini / "mini_scenario.yaml")
    err = info.value
    assert len(err.errors) == 2
    assert str(err).splitlines() == [str(e) for e in err.errors]
    assert str(err).startswith(str(mini / "mini_map.yaml") + ":")
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) and again.errors[1].path == err.errors[1].path


# ---- cross-reference checks: ruleset --------------------------------------------------

RULESET_CASES = [
    # (old text, new text, error path, line needle, message fragment)
    ("inputs: {metal: 0.3, gallium: 0.01}", "inputs: {metal: 0.3, gold: 0.01}",
     "recipes.magnet.inputs.gold", "inputs: {metal: 0.3, gold", "unknown good 'gold'"),
    ("  metal: {inputs: {rock: 4.0}}", "  metal: {inputs: {rock: 4.0}}\n  tin: {inputs: {rock: 1}}",
     "recipes.tin", "  tin: {inputs", "unknown good 'tin'"),
    ("intensity: {magnet: 0.1}", "intensity: {magnet: 0.1, plastic: 2}",
     "sectors.ev.intensity.plastic", "plastic: 2", "unknown good 'plastic'"),
    ("goods: [rock]", "goods: [granite]", "facility_types.mine.goods.0", "goods: [granite]",
     "unknown good 'granite'"),
    ("{share: 0.50, price_multiple: 1.2}", "{share: 0.40, price_multiple: 1.2}",
     "market.demand_tranches", "demand_tranches:", "sum to 0.9"),
    ("  build: {who", "  teleport: {who: [firm]}\n  build: {who", "actions.teleport",
     "teleport:", "not implemented"),
    ("effect: {kind: demand_shift, sector: ev,", "effect: {kind: demand_shift, sector: space,",
     "events.surge.effect.sector", "sector: space", "unknown sector 'space'"),
    ("{kind: capacity_loss, facility_type: mine,", "{kind: capacity_loss, facility_type: pit,",
     "events.mine_accident.effect.facility_type", "facility_type: pit", "unknown facility type"),
    ("{kind: stability_shock,", "{kind: revolution,", "events.coup.effect.kind",
     "kind: revolution", "is not one of"),
    ("share: 0.6, turns: 2}", "share: 1.6, turns: 2}", "events.mine_accident.effect.share",
     "share: 1.6", "between 0 and 1"),
]


@pytest.mark.parametrize("old, new, path, needle, text", RULESET_CASES,
                         ids=[case[2] for case in RULESET_CASES])
def test_ruleset_cross_checks(mini, old, new, path, needle, text):
    ruleset_file = mini / "mini_ruleset.yaml"
    edit(ruleset_file, old, new)
    errors = errors_loading(load_ruleset, ruleset_file)
    assert_error_at(errors, path, ruleset_file, needle, text)
    assert the_error(scenario_errors(mini), path).line == line_of(ruleset_file, needle)


def test_recipe_cycle_names_its_goods(mini):
    ruleset_file = mini / "mini_ruleset.yaml"
    edit(ruleset_file, "  metal: {inputs: {rock: 4.0}}",
         "  metal: {inputs: {rock: 4.0}}\n  rock: {inputs: {magnet: 1.0}}")
    errors = errors_loading(load_ruleset, ruleset_file)
    err = the_error(errors, "recipes.magnet")
    assert err.line == line_of(ruleset_file, "inputs: {metal: 0.3") - 1   # the recipe's key
    assert err.message.endswith("magnet -> rock -> metal -> magnet")


def test_implemented_actions_match_base_yaml():
    import yaml
    base = yaml.safe_load((REPO / "rulesets" / "base.yaml").read_text())
    assert IMPLEMENTED_ACTIONS == frozenset(base["actions"])


# ---- cross-reference checks: map and scenario -----------------------------------------

MAP_CASES = [
    ("    member_of: null", "    member_of: XX", "countries.CN.member_of", "member_of: XX",
     "unknown country 'XX'"),
    ("home: US", "home: GB", "firms.ROCKCO.home", "home: GB", "unknown country 'GB'"),
    ("country: CD\n", "country: ZZ\n", "firms.ROCKCO.facilities.0.country", "country: ZZ",
     "unknown country 'ZZ'"),
    ("{id: magnets_one,", "{id: ref_one,", "firms.REFCO.facilities.1.id", "{id: ref_one, type: magnet",
     "duplicate facility id 'ref_one'"),
    ("  CD:\n", "  Congo:\n", "countries.Congo", "  Congo:", "ISO 3166"),
]


@pytest.mark.parametrize("old, new, path, needle, text", MAP_CASES,
                         ids=[case[2] for case in MAP_CASES])
def test_map_checks(mini, old, new, path, needle, text):
    map_file = mini / "mini_map.yaml"
    edit(map_file, old, new)
    assert_error_at(errors_loading(load_map, map_file), path, map_file, needle, text)
    assert_error_at(scenario_errors(mini), path, map_file, needle, text)


SCENARIO_CASES = [
    ("mini_map.yaml", "role: china", "role: emperor", "countries.CN.role", "role: emperor",
     "not a scoring role"),
    ("mini_map.yaml", "demand: {defence: 240, ev: 90}", "demand: {defence: 240, space: 90}",
     "countries.US.demand.space", "space: 90", "unknown sector 'space'"),
    ("mini_map.yaml", "stockpile: {gallium: 10}", "stockpile: {gold: 10}",
     "countries.US.stockpile.gold", "gold: 10", "unknown good 'gold'"),
    ("mini_map.yaml", "reserves: {rock: 500}", "reserves: {rock: 500, iron: 3}",
     "countries.CN.reserves.iron", "iron: 3", "unknown good 'iron'"),
    ("mini_map.yaml", "type: refinery, good: metal", "type: refinery, good: magnet",
     "firms.REFCO.facilities.0.good", "type: refinery, good: magnet", "cannot make 'magnet'"),
    ("mini_map.yaml", "type: mine\n", "type: quarry\n", "firms.ROCKCO.facilities.0.type",
     "type: quarry", "unknown facility type"),
    ("mini_scenario.yaml", "{turn: 2, event: surge}", "{turn: 2, event: flood}",
     "scheduled_events.0.event", "event: flood", "unknown event 'flood'"),
    ("mini_scenario.yaml", "event: coup, country: CD}", "event: coup, country: QQ}",
     "scheduled_events.1.country", "country: QQ", "unknown country 'QQ'"),
    ("mini_scenario.yaml", "seats: {US: builder,", "seats: {UK: builder,", "seats.UK",
     "seats: {UK", "unknown seat"),
    ("mini_scenario.yaml", "{seat: CN, order:", "{seat: XY, order:", "initial_orders.0.seat",
     "seat: XY", "unknown seat"),
    ("mini_scenario.yaml", 'order: "export_control', 'order: "export_banana',
     "initial_orders.0.order", "export_banana", "action id"),
]


@pytest.mark.parametrize("name, old, new, path, needle, text", SCENARIO_CASES,
                         ids=[case[3] for case in SCENARIO_CASES])
def test_scenario_checks(mini, name, old, new, path, needle, text):
    edit(mini / name, old, new)
    assert_error_at(scenario_errors(mini), path, mini / name, needle, text)


def test_event_country_checked_against_the_map(mini):
    ruleset_file = mini / "mini_ruleset.yaml"
    edit(ruleset_file, "{kind: capacity_loss, facility_type: mine,",
         "{kind: capacity_loss, country: TW, facility_type: mine,")
    assert load_ruleset(ruleset_file)            # no map: country not checked
    assert_error_at(scenario_errors(mini), "events.mine_accident.effect.country", ruleset_file,
                    "country: TW", "unknown country 'TW'")


# ---- finding files ---------------------------------------------------------------------

@pytest.fixture
def fake_repo(tmp_path, monkeypatch) -> Path:
    (tmp_path / "rulesets").mkdir()
    (tmp_path / "maps").mkdir()
    shutil.copy(FIXTURES / "mini_ruleset.yaml", tmp_path / "rulesets" / "mini_ruleset.yaml")
    shutil.copy(FIXTURES / "mini_map.yaml", tmp_path / "maps" / "mini_map.yaml")
    text = (FIXTURES / "mini_scenario.yaml").read_text()
    (tmp_path / "rulesets" / "mini_scenario.yaml").write_text(
        text.replace("map: mini_map.yaml", "map: mini_map"))
    monkeypatch.setattr(loader_module, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(overlay_module, "REPO_ROOT", tmp_path)
    return tmp_path


def test_bare_scenario_name_is_found(fake_repo):
    scenario = load_scenario("mini_scenario")
    assert scenario.map_name == "mini_world"
    assert [p.name for p in scenario.source_files] == [
        "mini_scenario.yaml", "mini_ruleset.yaml", "mini_map.yaml"]


def test_unknown_scenario_name_lists_the_scenarios(fake_repo):
    with pytest.raises(RulesError) as info:
        load_scenario("no_such_scenario")
    assert "available: mini_scenario" in str(info.value)
    assert "mini_ruleset" not in str(info.value)


def test_validate_paths_decides_the_kind_by_content(mini):
    paths = [mini / name for name in MINI_FILES]
    assert validate_paths(paths) == []
    edit(mini / "mini_map.yaml", "gdp: 70", "gdp: none")
    errors = validate_paths(paths)
    # once for the map itself and once for the scenario that plays on it
    assert [e.path for e in errors] == ["countries.CD.gdp", "countries.CD.gdp"]


def test_scenario_map_must_be_a_map(mini):
    scenario_file = mini / "mini_scenario.yaml"
    edit(scenario_file, "map: mini_map.yaml", "map: mini_ruleset.yaml")
    errors = scenario_errors(mini)
    assert [(e.path, e.line) for e in errors] == [("map", line_of(scenario_file, "map: mini_"))]
    assert "not a map" in errors[0].message


def test_hostile_yaml_gives_located_errors(tmp_path):
    recursive = tmp_path / "recursive.yaml"
    recursive.write_text("name: x\na: &a [*a]\n")
    deep = tmp_path / "deep.yaml"
    deep.write_text("name: x\na: " + "[" * 2000 + "]" * 2000 + "\n")
    tagged = tmp_path / "tagged.yaml"
    tagged.write_text("name: x\ncmd: !!python/object/apply:os.system [ls]\n")
    errors = validate_paths([recursive, deep, tagged])
    assert [(Path(e.file).name, e.line) for e in errors] == [
        ("recursive.yaml", 2), ("deep.yaml", 2), ("tagged.yaml", 2)]


def test_validate_command_prints_messages_only(mini, capsys):
    from game.rules.cli import validate_command
    edit(mini / "mini_map.yaml", "gdp: 70", "gdp: -70")
    status = validate_command([str(mini / "mini_ruleset.yaml"), str(mini / "mini_map.yaml")])
    out = capsys.readouterr().out.splitlines()
    assert status == 1
    assert out == [f"{mini / 'mini_ruleset.yaml'}: ok",
                   f"{mini / 'mini_map.yaml'}:{line_of(mini / 'mini_map.yaml', 'gdp: -70')}: "
                   "countries.CD.gdp: Input should be greater than 0"]

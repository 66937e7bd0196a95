"""The order composer shows only the fields that apply to the chosen action and mode."""

from __future__ import annotations

import os
from dataclasses import fields

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import pytest

pygame = pytest.importorskip("pygame")

from game.orders import ORDER_TYPES  # noqa: E402
from tests.ui_events import click, window  # noqa: E402


@pytest.fixture
def control(tmp_path):
    with window(tmp_path / "g.save", people=["US"]) as c:
        yield c


def rows(comp):
    return [name for name, _ in comp.field_rows]


def arrow(comp, name):
    """The > (next choice) or + (more) button on the row of field `name`."""
    row = dict(comp.field_rows)[name]
    return next(b for b in comp.buttons if b.label in (">", "+") and b.rect.y == row.y)


def test_export_control_shows_approval_and_delay_only_for_licences_and_quota_for_quotas(control):
    comp = control.scene.composer
    click(control, next(b for b in comp.buttons if b.label == "export_control").rect)
    assert comp.values["mode"] == "ban"
    assert "approval" not in rows(comp) and "quota" not in rows(comp) and "delay" not in rows(comp)
    assert {"good", "target", "mode", "content", "effective"} <= set(rows(comp))
    click(control, arrow(comp, "mode").rect)                  # ban -> licence
    assert comp.values["mode"] == "licence"
    assert "approval" in rows(comp) and "delay" in rows(comp) and "quota" not in rows(comp)
    click(control, arrow(comp, "approval").rect)             # a licence's approval share moves
    assert comp.values["approval"] != 0.5 and "approval=" in comp.text()
    click(control, arrow(comp, "mode").rect)                  # licence -> quota
    assert comp.values["mode"] == "quota"
    assert "quota" in rows(comp) and "approval" not in rows(comp)
    assert "approval=" not in comp.text()                      # the hidden field went back to its default
    click(control, arrow(comp, "quota").rect)
    assert comp.verdict.ok and "quota=" in comp.text()
    click(control, comp.send_button.rect)
    assert control.game.pending("US")[0].startswith("export_control") and "mode=quota" in control.game.pending("US")[0]


def test_an_action_shows_exactly_its_own_fields(control):
    comp = control.scene.composer
    shown = [b.label for b in comp.buttons][:12]              # the first page of actions
    picked = [a for a in ("tariff", "stockpile", "subsidy", "price_floor", "enforcement") if a in shown]
    assert len(picked) >= 3
    for action in picked:
        click(control, next(b for b in comp.buttons if b.label == action).rect)
        assert rows(comp) == [f.name for f in fields(ORDER_TYPES[action])]
        assert len([b for b in comp.buttons if b.label in "<>-+"]) == 2 * len(rows(comp))


def test_nationalize_shows_only_the_facility_or_the_firm_it_takes(control):
    comp = control.scene.composer
    assert "nationalize" in comp.actions()
    while not any(b.label == "nationalize" for b in comp.buttons):       # page through the actions
        click(control, next(b for b in comp.buttons if b.label.startswith("more actions")).rect)
    click(control, next(b for b in comp.buttons if b.label == "nationalize").rect)
    assert rows(comp) == ["take over", "facility", "compensation"]
    first_facility = comp.choices("facility")[0]
    assert comp.values["facility"] == first_facility and comp.values["firm"] == ""
    assert comp.text() == f"nationalize facility={first_facility}" and comp.verdict.ok
    click(control, arrow(comp, "take over").rect)                              # facility -> firm
    assert rows(comp) == ["take over", "firm", "compensation"]
    assert comp.values["facility"] == "" and comp.values["firm"] == comp.choices("firm")[0]
    assert comp.text() == f"nationalize firm={comp.values['firm']}"
    assert comp.verdict.ok, comp.verdict.reason                           # the engine sees one of the two
    click(control, arrow(comp, "take over").rect)                              # and back
    assert rows(comp) == ["take over", "facility", "compensation"] and comp.values["firm"] == ""


def test_every_field_of_every_order_says_what_it_means_when_hovered(control):
    from game.ui.composer import CHOOSERS, field_tip
    missing = [f"{action}.{f.name}" for action, cls in ORDER_TYPES.items() for f in fields(cls)
               if not field_tip(action, f.name)]
    missing += [f"{action}.{name}" for action, (name, _) in CHOOSERS.items() if not field_tip(action, name)]
    assert missing == []
    comp = control.scene.composer
    click(control, next(b for b in comp.buttons if b.label == "export_control").rect)
    row = dict(comp.field_rows)["content"]
    pygame.mouse.set_pos((row.x + 10, row.centery))
    control.frame()
    assert control.scene.tip == field_tip("export_control", "content")
    assert "content" in control.scene.tip and "abroad" in control.scene.tip

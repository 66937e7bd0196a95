"""Order types: one small frozen dataclass per action a seat can take.

Each order has a one-line text form ``action key=value ...`` that parses back
to an equal order, e.g. ``tariff good=battery_cell target=CN rate=0.25``.
Values with spaces, quotes or other unusual characters are double-quoted
(backslash escapes ``"`` and ``\\``).  Only syntax, field types and purely
local rules are checked here; whether a good exists or a seat may use an
action is for the game rules to decide.

A new order is a subclass ``class Name(Order, action="name"):`` with a one-line
docstring (used as help text) and annotated fields of type str, float, int or
bool; it becomes a frozen dataclass and is registered in ``ORDER_TYPES``.
"""

import difflib
import math
import re
import shlex
from dataclasses import MISSING, Field, dataclass, field, fields
from typing import Any, ClassVar, NoReturn, dataclass_transform


class OrderSyntaxError(ValueError):
    """An order text (or dict) that cannot be turned into an order."""


ORDER_TYPES: dict[str, type["Order"]] = {}

_PLAIN = re.compile(r"[A-Za-z0-9_.,:/@%+\-]+")
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


# --- field values -------------------------------------------------------------

def _format_value(value: Any) -> str:
    """The text form of one field value, quoted only when it has to be."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, int):
        return str(value)
    if _PLAIN.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _to_float(value: Any) -> float:
    if type(value) is float and math.isfinite(value):      # the common case, as below
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("must be a number")
    try:
        number = float(value)
    except ValueError:
        raise ValueError("must be a number") from None
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


def _to_int(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError("must be a whole number")
    try:
        return int(value)
    except ValueError:
        raise ValueError("must be a whole number") from None


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower() if isinstance(value, (int, str)) else None
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise ValueError("must be true/false/yes/no/1/0")


def _to_str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text")
    # printable text has no line boundary (those are all control or separator characters)
    if value and not value.isprintable() and value.splitlines() != [value]:
        raise ValueError("must not contain a line break")
    return value


_CONVERTERS = {"float": _to_float, "int": _to_int, "bool": _to_bool, "str": _to_str}


def _type_name(f: Field) -> str:
    """'str', 'float', ... whether or not annotations are postponed strings."""
    return getattr(f.type, "__name__", str(f.type))


def _has_default(f: Field) -> bool:
    return f.default is not MISSING


def shown(default: Any) -> Any:
    """An optional field that the text form writes even at its default."""
    return field(default=default, metadata={"shown": True})


# --- the base class -----------------------------------------------------------

@dataclass_transform(frozen_default=True, field_specifiers=(field, shown))
@dataclass(frozen=True)
class Order:
    """Base of all orders; see the module docstring for how to add one."""

    action: ClassVar[str] = ""
    # (name, converter, default or MISSING, shown) of each field, worked out once per class
    _specs: ClassVar[tuple] = ()

    def __init_subclass__(cls, action: str = "", register: bool = True, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        dataclass(frozen=True)(cls)
        for f in fields(cls):
            if _type_name(f) not in _CONVERTERS:
                raise TypeError(f"{cls.__name__}.{f.name}: unsupported type {f.type!r}")
        cls._specs = tuple((f.name, _CONVERTERS[_type_name(f)], f.default, bool(f.metadata.get("shown")))
                           for f in fields(cls))
        if action:
            cls.action = action
        if action and register:
            if action in ORDER_TYPES:
                raise TypeError(f"action {action!r} is already registered")
            ORDER_TYPES[action] = cls

    def __post_init__(self) -> None:
        for name, convert, _default, _shown in self._specs:
            value = getattr(self, name)
            try:
                converted = convert(value)
            except ValueError as err:
                message = f"{self.action}: {name} {err}, got {value!r}"
                raise OrderSyntaxError(message) from None
            if converted is not value:
                object.__setattr__(self, name, converted)
        self.check()

    def check(self) -> None:
        """Local validation hook; call ``self.fail`` on a bad order."""

    def fail(self, message: str) -> NoReturn:
        raise OrderSyntaxError(f"{self.action}: {message}")

    def params(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name, *_ in self._specs}

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, **self.params()}

    def text(self) -> str:
        cached = self.__dict__.get("_text")
        if cached is not None:
            return cached
        parts = [self.action]
        for name, _convert, default, shown in self._specs:
            value = getattr(self, name)
            if default is not MISSING and value == default and not shown:
                continue
            parts.append(f"{name}={_format_value(value)}")
        text = " ".join(parts)
        object.__setattr__(self, "_text", text)     # frozen: the text never changes, keep it
        return text

    def __str__(self) -> str:
        return self.text()


# --- parsing ------------------------------------------------------------------

def _order_class(action: str) -> type[Order]:
    cls = ORDER_TYPES.get(action)
    if cls is not None:
        return cls
    close = difflib.get_close_matches(action.lower(), ORDER_TYPES, n=3)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    raise OrderSyntaxError(f"unknown action {action!r}{hint}")


def _build(action: str, values: dict[str, Any]) -> Order:
    """Check the keys against the action's fields, then construct it."""
    cls = _order_class(action)
    known = {name: default for name, _convert, default, _shown in cls._specs}   # the fields, in order
    for key in values:
        if key not in known:
            valid = ", ".join(known) or "none"
            raise OrderSyntaxError(f"{action} has no key {key!r}; valid keys: {valid}")
    missing = [n for n, default in known.items() if default is MISSING and n not in values]
    if missing:
        listed = ", ".join(repr(n) for n in missing)
        raise OrderSyntaxError(f"{action} is missing required key(s) {listed}")
    return cls(**values)


def parse_order(text: "str | Order") -> Order:
    """Parse ``action key=value ...``; an Order passes through unchanged."""
    if isinstance(text, Order):
        return text
    if not isinstance(text, str):       # e.g. a policy that returned None for an order
        raise OrderSyntaxError(f"cannot read order {text!r}: an order is text or an Order, "
                               f"not {type(text).__name__}")
    try:
        tokens = _words(text)
    except ValueError as err:  # e.g. an unclosed quote
        raise OrderSyntaxError(f"cannot read order {text!r}: {err}") from None
    if not tokens:
        raise OrderSyntaxError("empty order")
    action, values = tokens[0], {}
    for token in tokens[1:]:
        key, eq, value = token.partition("=")
        if not eq or not key:
            raise OrderSyntaxError(f"{action}: expected key=value, got {token!r}")
        if key in values:
            raise OrderSyntaxError(f"{action}: duplicate key {key!r}")
        values[key] = value
    return _build(action, values)


def _words(text: str) -> list[str]:
    """``shlex.split(text)``. Text of plain printable ASCII without quotes or backslashes
    (what orders write, see _format_value) has no whitespace but spaces and nothing to
    unquote, so splitting it at spaces gives the same words without shlex's
    character-by-character lexer."""
    if text.isascii() and text.isprintable() and not _has_quoting(text):
        return text.split()
    return shlex.split(text)


def _has_quoting(text: str) -> bool:
    return '"' in text or "'" in text or "\\" in text


def order_from_dict(data: dict[str, Any]) -> Order:
    """Rebuild an order from ``Order.to_dict()`` output (e.g. a JSON save)."""
    values = dict(data)
    action = values.pop("action", None)
    if not isinstance(action, str):
        raise OrderSyntaxError(f"order dict needs a text 'action', got {action!r}")
    return _build(action, values)


def split_orders(text: str) -> list[str]:
    """Split ``a; b; c`` at the semicolons that are not inside quotes."""
    if not _has_quoting(text):      # no quotes, no escapes: every semicolon splits
        return [part.strip() for part in text.split(";") if part.strip()]
    parts, current, quote, escaped = [], [], "", False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == ";":
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def describe_actions() -> list[tuple[str, str, str]]:
    """(action, field signature, one-line help) for each order, in registry order."""
    rows = []
    for action, cls in ORDER_TYPES.items():
        sig = [f"[{f.name}={_format_value(f.default)}]" if _has_default(f)
               else f"{f.name}=<{_type_name(f)}>" for f in fields(cls)]
        doc = (cls.__doc__ or "").strip().splitlines()
        rows.append((action, " ".join(sig), doc[0] if doc else ""))
    return rows


# --- the orders -------------------------------------------------------------

EXPORT_MODES = ("ban", "licence", "quota")
TECH_AREAS = ("processing", "magnet", "battery")


class ExportControl(Order, action="export_control"):
    """Restrict exports of a good to a target: outright ban, licences or a quota."""
    good: str
    target: str
    mode: str = shown("ban")
    approval: float = 0.5
    quota: float = 0.0
    delay: int = 1
    content: float = 0.0
    effective: int = 0

    def check(self) -> None:
        if self.mode not in EXPORT_MODES:
            self.fail(f"mode must be one of {', '.join(EXPORT_MODES)}, got {self.mode!r}")


class LiftControl(Order, action="lift_control"):
    """Remove an export control on a good towards a target."""
    good: str
    target: str


class SuspendControl(Order, action="suspend_control"):
    """Suspend an export control on a good towards a target for some turns."""
    good: str
    target: str
    turns: int


class Tariff(Order, action="tariff"):
    """Charge an import tariff at a rate on a good coming from a target."""
    good: str
    target: str
    rate: float


class Enforcement(Order, action="enforcement"):
    """Set how hard customs and export-control enforcement is pursued."""
    level: float


class ChipControl(Order, action="chip_control"):
    """Deny advanced chips to a target, optionally also foreign-made chips with our content."""
    target: str
    content: float = 0.0


class TechControl(Order, action="tech_control"):
    """Ban the transfer of processing, magnet or battery technology to a target."""
    area: str
    target: str

    def check(self) -> None:
        if self.area not in TECH_AREAS:
            self.fail(f"area must be one of {', '.join(TECH_AREAS)}, got {self.area!r}")


class Subsidy(Order, action="subsidy"):
    """Pay a firm a one-off grant."""
    firm: str
    amount: float


class EquityStake(Order, action="equity_stake"):
    """Buy a share of a firm for an amount of money."""
    firm: str
    share: float
    amount: float


class PriceFloor(Order, action="price_floor"):
    """Guarantee producers a minimum price for a volume of a good over some turns."""
    good: str
    price: float
    volume: float
    turns: int


class Offtake(Order, action="offtake"):
    """Commit to buy a facility's output volume at a fixed price over some turns."""
    facility: str
    volume: float
    price: float
    turns: int


class DevLoan(Order, action="dev_loan"):
    """Lend development money to another country, repaid over some turns."""
    country: str
    amount: float
    turns: int = 10


class StateLending(Order, action="state_lending"):
    """Have state banks lend cheaply to a firm, repaid over some turns."""
    firm: str
    amount: float
    turns: int = 10


class Stockpile(Order, action="stockpile"):
    """Buy a good into the strategic stockpile, paying at most max_price (0 = twice reference)."""
    good: str
    amount: float
    max_price: float = 0.0


class ReleaseStockpile(Order, action="release_stockpile"):
    """Sell an amount of a good out of the strategic stockpile."""
    good: str
    amount: float


class Nationalize(Order, action="nationalize"):
    """Take over a facility or a whole firm, paying a share of its value as compensation."""
    facility: str = ""
    firm: str = ""
    compensation: float = shown(0.5)

    def check(self) -> None:
        if bool(self.facility) == bool(self.firm):
            self.fail("give exactly one of facility= or firm=")


class OreExportBan(Order, action="ore_export_ban"):
    """Ban exports of an unprocessed ore so that it is refined at home."""
    good: str


class PermitReform(Order, action="permit_reform"):
    """Speed up mining and plant permits at home."""


class RecyclingProgramme(Order, action="recycling_programme"):
    """Fund recycling capacity that recovers a good from scrap."""
    good: str
    capacity: float


class SubstitutionRd(Order, action="substitution_rd"):
    """Fund research so that a sector can use less of a good."""
    sector: str
    good: str
    amount: float


class ProposeDeal(Order, action="propose_deal"):
    """Offer another seat a deal: the orders we give for the orders we ask ('; '-separated)."""
    to: str
    give: str
    ask: str

    def check(self) -> None:
        for side in ("give", "ask"):
            for part in split_orders(getattr(self, side)):
                try:
                    parse_order(part)
                except OrderSyntaxError as err:
                    problem = f"bad {side} part {part!r}: {err}"
                    raise OrderSyntaxError(f"{self.action}: {problem}") from None

    def give_orders(self) -> list[Order]:
        return [parse_order(part) for part in split_orders(self.give)]

    def ask_orders(self) -> list[Order]:
        return [parse_order(part) for part in split_orders(self.ask)]


class AcceptDeal(Order, action="accept_deal"):
    """Accept a deal offered to us."""
    deal: str


class RejectDeal(Order, action="reject_deal"):
    """Reject a deal offered to us."""
    deal: str


class Pressure(Order, action="pressure"):
    """Lean diplomatically on a target country."""
    target: str


class ExportSubsidy(Order, action="export_subsidy"):
    """Subsidise exports of a good at a rate of its price."""
    good: str
    rate: float


class ProducerQuota(Order, action="producer_quota"):
    """Cut domestic production of a good by a share to lift its price."""
    good: str
    cut: float


class GovernanceStandard(Order, action="governance_standard"):
    """Require supply from a target to meet environmental and labour standards."""
    target: str


class Build(Order, action="build"):
    """Build a new facility of a type making a good in a country."""
    type: str
    good: str
    country: str
    capacity: float


class Expand(Order, action="expand"):
    """Add capacity to an operating facility: up to its own capacity, one expansion at a time."""
    facility: str
    capacity: float


class Idle(Order, action="idle"):
    """Stop a facility's production while keeping it ready to restart."""
    facility: str


class Reopen(Order, action="reopen"):
    """Restart an idled facility."""
    facility: str


class Close(Order, action="close"):
    """Close a facility for good."""
    facility: str


class ApplyLicence(Order, action="apply_licence"):
    """Apply for an export licence to buy a volume of a good from an origin."""
    good: str
    origin: str
    volume: float


class Transship(Order, action="transship"):
    """Route a volume of a good from an origin through a third country."""
    good: str
    origin: str
    via: str
    volume: float


class Relocate(Order, action="relocate"):
    """Move a facility to another country."""
    facility: str
    country: str


class SellStake(Order, action="sell_stake"):
    """Offer our stake in a facility to a buyer at a price (it changes hands if they accept)."""
    facility: str
    buyer: str
    price: float


class AcceptStake(Order, action="accept_stake"):
    """Buy a facility offered to us with sell_stake, at the offered price."""
    offer: str

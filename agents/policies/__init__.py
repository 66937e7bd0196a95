"""Policies by name. `make_policy(name, kind)` builds one for a seat of that kind.

`default` picks the default policy of the seat's kind. `NAME:easy`, `NAME:normal` and
`NAME:hard` play NAME at a difficulty level (agents.policies.difficulty). A name of the form
`package.module:Class` imports a user's policy class.
"""

from __future__ import annotations

import importlib

from agents.policies.base import Passive, Policy, Traits
from agents.policies.default import DefaultFirm, DefaultState

REGISTRY: dict[str, type[Policy]] = {}


def register(cls: type[Policy]) -> type[Policy]:
    REGISTRY[cls.name] = cls
    return cls


for _cls in (Passive, DefaultState, DefaultFirm):
    register(_cls)

from agents.policies.personalities import PERSONALITIES  # noqa: E402  (personalities import base/default)

for _cls in PERSONALITIES:
    register(_cls)

DEFAULTS = {"great_power": "default_state", "middle": "default_state", "resource": "default_state",
            "firm": "default_firm"}


class PolicyError(ValueError):
    """An unknown or unsuitable policy name."""


def resolve(name: str) -> type[Policy]:
    if name in REGISTRY:
        return REGISTRY[name]
    base, _, level = name.rpartition(":")
    if base and level in ("easy", "normal", "hard"):
        # NAME:level plays NAME with stale information (easy), as written (normal) or foresight (hard)
        from agents.policies.difficulty import with_difficulty
        cls = with_difficulty(resolve(base), level)
        REGISTRY[name] = cls
        return cls
    if base in REGISTRY:        # a built-in policy with a level that does not exist
        raise PolicyError(f"unknown difficulty level {level!r} in {name!r}; levels: easy, normal, hard")
    if ":" in name:
        module, _, attr = name.partition(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise PolicyError(f"cannot import policy {name!r}: {exc}") from None
    raise PolicyError(f"unknown policy {name!r}; known: {', '.join(sorted(REGISTRY))}")


def register_difficulties() -> None:
    """Register NAME:easy, NAME:normal and NAME:hard for every registered policy (idempotent)."""
    from agents.policies.difficulty import LEVELS, DifficultyWrapper, with_difficulty
    for name, cls in list(REGISTRY.items()):
        if issubclass(cls, DifficultyWrapper):
            continue
        for level in LEVELS:
            if f"{name}:{level}" not in REGISTRY:
                register(with_difficulty(cls, level))


def make_policy(name: str, kind: str) -> Policy:
    """A policy instance for a seat of `kind`; 'default' means the kind's default."""
    if name in (None, "", "default"):
        name = DEFAULTS[kind]
    cls = resolve(name)
    roles = getattr(cls, "traits", Traits(roles=())).roles
    if roles and kind not in roles:
        raise PolicyError(f"policy {name!r} cannot play a {kind} seat (it plays {', '.join(roles)})")
    return cls()


__all__ = ["Policy", "Traits", "REGISTRY", "register", "register_difficulties", "make_policy", "resolve", "PolicyError"]

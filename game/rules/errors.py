"""The one exception type of the rules package.

A ``RulesError`` names a file, a dotted path inside it and a line, e.g.::

    maps/world_2025.yaml:412: countries.CD.reserves.cobalt_ore: Input should be a valid number

Validation gathers every problem it can find in a file; the raised error then carries them
all in ``errors`` and its ``str()`` lists them one per line.
"""

from __future__ import annotations

from typing import Iterable


class RulesError(Exception):
    """A problem in a ruleset, map or scenario file (or several such problems)."""

    def __init__(
        self,
        message: str,
        *,
        file: str = "",
        path: str = "",
        line: int | None = None,
        errors: Iterable["RulesError"] | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.path = path
        self.line = line
        items = list(errors) if errors is not None else []
        self.errors: list[RulesError] = items if items else [self]
        super().__init__(str(self))

    @classmethod
    def combine(cls, errors: Iterable["RulesError"]) -> "RulesError":
        """One error holding every individual error in ``errors`` (flattened)."""
        items = [single for err in errors for single in err.errors]
        if not items:
            raise ValueError("RulesError.combine needs at least one error")
        if len(items) == 1:
            return items[0]
        first = items[0]
        return cls(first.message, file=first.file, path=first.path, line=first.line, errors=items)

    def location(self) -> str:
        """``file:line: path`` with the missing parts left out."""
        where = self.file
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.path}" if self.path else where

    def describe(self) -> str:
        """This one error as ``file:line: path: message``."""
        where = self.location()
        return f"{where}: {self.message}" if where else self.message

    def __str__(self) -> str:
        if len(self.errors) == 1 and self.errors[0] is self:
            return self.describe()
        return "\n".join(err.describe() for err in self.errors)

    def __reduce__(self):
        nested = None if self.errors == [self] else self.errors
        return (_rebuild, (self.message, self.file, self.path, self.line, nested))


def _rebuild(message, file, path, line, errors):
    return RulesError(message, file=file, path=path, line=line, errors=errors)

"""``chokepoint validate FILE...`` as a function: messages only, never a traceback."""

from __future__ import annotations

import sys
from typing import Iterable, TextIO

from .loader import validate_paths


def validate_command(paths: Iterable[str], out: TextIO | None = None) -> int:
    """Check the files; print each problem (or ``ok``) and return an exit status (0 or 1)."""
    out = out or sys.stdout
    paths = list(paths)
    if not paths:
        print("usage: chokepoint validate FILE...", file=out)
        return 2
    status = 0
    for path in paths:
        errors = validate_paths([path])
        for err in errors:
            print(err, file=out)
        if errors:
            status = 1
        else:
            print(f"{path}: ok", file=out)
    return status

"""``python -m game.rules FILE...``: validate ruleset, map and scenario files."""

import sys

from .cli import validate_command

sys.exit(validate_command(sys.argv[1:]))

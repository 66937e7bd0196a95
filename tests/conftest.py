"""What every test shares: settings, saves and error logs go to the test's own folders,
never into the user's ($XDG_CONFIG_HOME, $XDG_DATA_HOME)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def user_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))

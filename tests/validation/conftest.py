"""Fixtures of the validation suite: each pattern computed once per session (see patterns.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import patterns


@pytest.fixture(scope="session")
def pattern():
    """``pattern(name)`` runs (once per session) and returns the named validation pattern."""
    done: dict[str, patterns.Pattern] = {}

    def get(name: str) -> patterns.Pattern:
        if name not in done:
            done[name] = patterns.PATTERNS[name]()
        return done[name]

    return get

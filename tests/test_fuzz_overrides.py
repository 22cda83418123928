"""Fuzzing the overrides (hypothesis): every input either runs or ends in one line naming a key,
and nothing is written on refusal — for ``copsim.load_config`` and for ``copsim-run``.

The default suite tries a few dozen inputs; ``-m slow`` tries many more. Keys are drawn from the
schema (and near misses of it), values from what people type and what breaks parsers: numbers of
every size, -0.0, nan, text, Unicode digits, empty values, lists, groups.
"""

from __future__ import annotations

import contextlib
import fnmatch
import io
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import copsim
from conftest import copsim_run
from copsim.composition import RunConfig
from copsim.model.config import schema_keys

SCENARIO = "rumble_strips"
TYPES = list(copsim.load_config(SCENARIO).world.org_types)
MODEL_KEYS = [k.replace(".NAME.", f".{TYPES[0]}.") for k in schema_keys()]
#: run options people type (out= and sweep_dir= are pinned to the test's folder, never fuzzed)
RUN_KEYS = ["replicates", "baseline", "memory_limit"]
GROUPS = ["coordinator", "sponsor", "world", "world.org_types", f"world.org_types.{TYPES[0]}"]
#: pinned after the fuzzed overrides, so whatever passes runs in a second (each still checked)
PINNED = ["horizon_weeks=6", "world.n_practitioners=24", "world.n_organizations=6", "replicates=1"]
EXAMPLES = int(os.environ.get("COPSIM_FUZZ_EXAMPLES", "25"))

keys = st.one_of(
    st.sampled_from(MODEL_KEYS),
    st.sampled_from(RUN_KEYS + GROUPS),
    st.sampled_from(MODEL_KEYS).map(lambda k: k[:-1] if len(k) > 3 else k + "x"),  # near misses
    st.from_regex(r"[a-z_]{1,8}(\.[a-z_]{1,8}){0,2}", fullmatch=True),
)
literal_values = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        [
            "-0.0",
            "0.0",
            "true",
            "false",
            "True",
            "yes",
            "no",
            "on",
            "2",
            "1",
            "0",
            "null",
            "",
            "nan",
            "inf",
            "-inf",
            "1e400",
            "1_000",
            "0x10",
            "٣",
            "١٠",
            "'0.5'",
            '"true"',
            "[1,2]",
            "[]",
            "{}",
            "{share:1.0}",
            "a,b",
            "range(0,3)",
            "${world.n_organizations}",
            "organizational",
            "ring",
            "complete",
            "state",
            "federal",
        ]
    ),
    st.text(max_size=12),
)
overrides = st.lists(
    st.tuples(st.sampled_from(["", "+", "~"]), keys, literal_values).map(
        lambda t: f"{t[0]}{t[1]}" if t[0] == "~" else f"{t[0]}{t[1]}={t[2]}"
    ),
    min_size=1,
    max_size=3,
)

KNOWN = set(schema_keys()) | set(schema_keys(RunConfig))


def names_a_key(message: str, given: list[str]) -> bool:
    """The message's subject (before the first ': ') is a schema key, a group, or one of the
    given overrides' keys."""
    head = message.split(": ", 1)[0]
    typed = [g.lstrip("+~").partition("=")[0] for g in given]
    parts = head.split(".")
    if head.startswith("world.org_types.") and len(parts) > 2:
        parts[2] = "*"  # an organization type, by any name
    pattern = ".".join(parts)
    return (
        any(t.startswith(head) or head.startswith(t) for t in typed if t)
        or any(fnmatch.fnmatchcase(k, pattern) or k.startswith(pattern + ".") for k in KNOWN)
        or head in ("overrides", "command line", "memory", "scenario", "world.org_types")
    )


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides)
def test_load_config_either_loads_or_names_the_key_in_one_line(given_overrides):
    try:
        config = copsim.load_config(SCENARIO, given_overrides)
    except copsim.ConfigError as exc:
        message = str(exc)
        assert message and "\n" not in message, message
        assert names_a_key(message, given_overrides), (message, given_overrides)
    else:
        assert copsim.model.config.validate(config) is config


def _copsim_run(args: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = copsim_run(*args)
    return status, err.getvalue()


@settings(max_examples=max(5, EXAMPLES // 3), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides)
def test_copsim_run_either_runs_or_ends_in_one_line_and_writes_nothing(given_overrides):
    with tempfile.TemporaryDirectory() as tmp:
        here = Path(tmp)
        out = here / "out"
        cwd = os.getcwd()
        os.chdir(here)
        try:
            status, err = _copsim_run([*given_overrides, *PINNED, f"out={out}"])
        finally:
            os.chdir(cwd)
        if status == 0:
            assert (out / "summary.csv").is_file() and (out / "manifest.json").is_file()
            return
        lines = err.strip().splitlines()
        assert status == 2 and len(lines) == 1, (given_overrides, err)
        assert lines[0].startswith("copsim-run: error: "), lines
        assert names_a_key(lines[0].removeprefix("copsim-run: error: "), given_overrides), lines
        assert list(here.iterdir()) == [], "nothing is written on refusal"


@pytest.mark.slow
def test_many_more_overrides(monkeypatch):
    """The same two properties over a thousand inputs (``-m slow``)."""
    more = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    more(given(overrides)(test_load_config_either_loads_or_names_the_key_in_one_line.hypothesis.inner_test))()
    fewer = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    inner = test_copsim_run_either_runs_or_ends_in_one_line_and_writes_nothing.hypothesis.inner_test
    fewer(given(overrides)(inner))()

"""Reading a sweep directory into tables, and naming its conditions.

A sweep directory (written by the experiment runner, ``copsim.experiments``) holds

* ``runs.parquet`` — one row per replicate: the swept keys under their dotted names
  (``coordinator.fte``), ``scenario``, ``replicate``, ``seed`` and every summary outcome;
* ``timeseries.parquet`` — long form: the condition keys, ``replicate``, ``week`` and the weekly
  outcomes;
* ``conditions.parquet`` — one row per condition: mean and 95 % interval of each outcome, the share
  of censored runs and the paired difference to the dissemination-only baseline (sweeps from
  before it existed: the same table in ``conditions.csv``);
* ``manifest.json`` — versions, root seed, the resolved config of every condition, status.

:func:`load` reads them into a :class:`Sweep`. Anything missing or unreadable raises
:class:`SweepError` whose one-line message names the file, so command-line tools can print it and
exit without a traceback.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

#: files of a sweep directory and what each must contain
RUNS, TIMESERIES, CONDITIONS, MANIFEST = (
    "runs.parquet",
    "timeseries.parquet",
    "conditions.parquet",
    "manifest.json",
)
#: the wide condition table of sweeps written before conditions.parquet (conditions.csv is long now)
OLD_CONDITIONS = "conditions.csv"

#: the key that switches the community off: its ``false`` value is the dissemination-only baseline
BASELINE_KEY = "community.enabled"

#: key prefixes of the community levers (reset to the scenario's defaults in a baseline)
LEVER_PREFIXES = ("community.", "coordinator.", "sponsor.", "support_team.")

#: the runner's identifier of a condition (a column of runs, timeseries and conditions)
ID = "condition_id"

#: what the adopting units of each scenario are called in sentences (plural)
UNIT_NOUNS = {
    "rumble_strips": "states",
    "e_regulation": "agencies",
    "safecities": "cities",
    "company_command": "companies",
    "bass": "adopting units",
}

#: plain names of the levers and parameters users sweep, for labels and sentences
KEY_LABELS = {
    "coordinator.fte": "coordinator FTE",
    "coordinator.team_size": "coordinators",
    "sponsor.level": "sponsorship",
    "sponsor.mandate": "mandate",
    "sponsor.board": "sponsor board",
    "sponsor.departure_week": "sponsor leaves (week)",
    "support_team.enabled": "support team",
    "support_team.staff": "support team FTE",
    "support_team.communities_served": "communities per support team",
    "community.enabled": "community",
    "demography.wave": "retirement wave",
}

#: outcomes with a censored flag: NaN means "not reached within the horizon"
CENSORED_OUTCOMES = {
    "t50_weeks": "t50_censored",
    "t50_years": "t50_censored",
    "t90_weeks": "t90_censored",
    "t90_years": "t90_censored",
    "time_to_talent_weeks": "time_to_talent_censored",
}


class SweepError(Exception):
    """A sweep directory cannot be analysed; the message names the file and what is wrong."""


def unit_noun(scenario: str) -> str:
    """Plural noun for the adopting units of ``scenario`` ("states", "cities", ...)."""
    return UNIT_NOUNS.get(scenario, "adopting units")


def pct(share: float) -> str:
    """A share as a whole percentage with a space before the sign ("87 %"), as in the report."""
    return f"{100 * share:.0f} %"


def key_label(key: str) -> str:
    """A short human label for a dotted config key."""
    return KEY_LABELS.get(key, key)


def _format_value(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "on" if value else "off"
    if isinstance(value, (float, np.floating)):
        return f"{value:g}"
    return str(value)


@dataclass
class Sweep:
    """The tables of one sweep directory, with helpers that name and group its conditions.

    Attributes:
        path: the sweep directory.
        runs: one row per replicate (``runs.parquet``).
        timeseries: weekly outcomes in long form (``timeseries.parquet``), or None when absent.
        conditions: one row per condition (``conditions.parquet``), or None when absent.
        manifest: the parsed ``manifest.json`` (empty dict when absent).
        keys: the columns that identify a condition (``scenario`` first, then the swept keys).
    """

    path: Path
    runs: pd.DataFrame
    timeseries: pd.DataFrame | None
    conditions: pd.DataFrame | None
    manifest: dict
    keys: list[str] = field(default_factory=list)
    _table: pd.DataFrame | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ conditions
    @property
    def swept(self) -> list[str]:
        """Swept dotted keys (all condition keys except ``scenario``)."""
        return [k for k in self.keys if k != "scenario"]

    @property
    def scenarios(self) -> list[str]:
        return list(pd.unique(self.runs["scenario"])) if "scenario" in self.runs else ["model"]

    def is_baseline(self, frame: pd.DataFrame) -> pd.Series:
        """True for rows of the dissemination-only baseline (``community.enabled`` false)."""
        if BASELINE_KEY not in frame:
            return pd.Series(False, index=frame.index)
        return ~frame[BASELINE_KEY].fillna(True).astype(bool)

    def condition_table(self) -> pd.DataFrame:
        """One row per condition in order of first appearance: ``condition_id``, its keys,
        ``label`` and ``baseline`` (the runner's ``condition_id`` when runs.parquet has one)."""
        if self._table is not None:
            return self._table
        if ID in self.runs:
            table = self.runs.drop_duplicates(ID)[[ID, *self.keys]].reset_index(drop=True)
        elif self.keys:
            table = self.runs[self.keys].drop_duplicates().reset_index(drop=True)
            table.insert(0, ID, [f"c{i}" for i in range(len(table))])
        else:
            table = pd.DataFrame({ID: ["c0"]})
        table["baseline"] = self.is_baseline(table).to_numpy()
        table["label"] = [self.label(row) for _, row in table.iterrows()]
        self._table = table
        return table

    def label(self, row: pd.Series | dict) -> str:
        """Short label of a condition: "dissemination only" or "coordinator FTE 0.5, sponsorship 1"."""
        row = dict(row)
        if BASELINE_KEY in row and not _truthy(row[BASELINE_KEY], default=True):
            return "dissemination only"
        parts = [
            f"{key_label(k)} {_format_value(row[k])}"
            for k in self.swept
            if k != BASELINE_KEY and k in row and not _is_missing(row[k])
        ]
        return ", ".join(parts) if parts else "with the community"

    def select(self, frame: pd.DataFrame, condition: pd.Series | dict) -> pd.DataFrame:
        """Rows of ``frame`` (runs, timeseries or conditions) that belong to ``condition``.

        Matches on ``condition_id`` when both carry it, otherwise on every condition key.
        """
        if ID in frame and ID in condition:
            return frame[(frame[ID] == condition[ID]).to_numpy()]
        mask = np.ones(len(frame), bool)
        for key in self.keys:
            if key not in frame or key not in condition:
                continue
            value = condition[key]
            column = frame[key]
            mask &= column.isna().to_numpy() if _is_missing(value) else (column == value).to_numpy()
        return frame[mask]

    def baseline_of(self, condition: pd.Series | dict) -> pd.Series | None:
        """The baseline condition of ``condition``: the runner's ``baseline_id`` in conditions.csv
        when present, else the first baseline of the same scenario; None when there is none."""
        table = self.condition_table()
        row = self.condition_row(condition)
        if row is not None and "baseline_id" in row and isinstance(row["baseline_id"], str):
            match = table[table[ID] == row["baseline_id"]]
            if len(match):
                return match.iloc[0]
        base = table[table["baseline"]]
        if "scenario" in base and "scenario" in condition:
            base = base[base["scenario"] == condition["scenario"]]
        return None if base.empty else base.iloc[0]

    def panels(
        self, frame: pd.DataFrame, within: tuple[str, ...] = (), limit: int = 8
    ) -> list[tuple[str, pd.DataFrame]]:
        """Split a per-condition ``frame`` (with a ``baseline`` column) into figure panels.

        A panel per scenario and per combination of the swept keys not in ``within`` (those vary
        inside a panel, e.g. coordinator FTE and sponsorship). Each panel holds its baselines:
        those of the same scenario that agree on the panel's non-lever keys (the runner resets
        lever keys of a baseline to the scenario's defaults). At most ``limit`` panels.
        """
        others = frame[~frame["baseline"]]
        bases = frame[frame["baseline"]]
        split = [
            k
            for k in self.keys
            if k not in within
            and k != BASELINE_KEY
            and k in frame
            and (k == "scenario" or others[k].nunique() > 1)
        ]
        if not split or others.empty:
            return [(self.scenarios[0] if len(self.scenarios) == 1 else "all", frame)]
        out = []
        for values, part in others.groupby(split, sort=False, dropna=False):
            values = values if isinstance(values, tuple) else (values,)
            match = np.ones(len(bases), bool)
            for key, v in zip(split, values, strict=True):
                if key == "scenario" or not key.startswith(LEVER_PREFIXES):
                    match &= (
                        (bases[key] == v).to_numpy() if not _is_missing(v) else bases[key].isna().to_numpy()
                    )
            title = ", ".join(
                str(v) if k == "scenario" else f"{key_label(k)} {_format_value(v)}"
                for k, v in zip(split, values, strict=True)
            )
            out.append((title, pd.concat([bases[match], part])))
        return out[:limit]

    def condition_row(self, condition: pd.Series | dict) -> pd.Series | None:
        """The row of the condition table for ``condition`` (None without one)."""
        if self.conditions is None:
            return None
        rows = self.select(self.conditions, condition)
        return None if rows.empty else rows.iloc[0]

    def unit_noun(self, scenario: str | None = None) -> str:
        return unit_noun(scenario or self.scenarios[0])

    @property
    def has_wave(self) -> bool:
        """The sweep includes a retirement wave (swept, or fixed on in the conditions' configs)."""
        if "demography.wave" in self.swept:
            return bool(self.runs["demography.wave"].fillna(False).astype(bool).any())
        configs = [c.get("config") or {} for c in self.manifest.get("conditions", []) if isinstance(c, dict)]
        return any((c.get("demography") or {}).get("wave") for c in configs if isinstance(c, dict))

    @property
    def horizon_years(self) -> float:
        """The simulated horizon in years (from the timeseries, else the manifest, else 10)."""
        if self.timeseries is not None and "week" in self.timeseries:
            return float(self.timeseries["week"].max()) / 52.0
        weeks = _find(self.manifest, "horizon_weeks")
        return float(weeks) / 52.0 if weeks else 10.0


def _find(tree, key):
    """First value stored under ``key`` anywhere in a nested dict/list (None if absent)."""
    if isinstance(tree, dict):
        if key in tree:
            return tree[key]
        tree = list(tree.values())
    if isinstance(tree, list):
        for item in tree:
            found = _find(item, key)
            if found is not None:
                return found
    return None


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _truthy(value, default: bool) -> bool:
    if _is_missing(value):
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def condition_keys(runs: pd.DataFrame) -> list[str]:
    """Columns of ``runs`` that identify a condition: ``scenario`` and every dotted (swept) key."""
    keys = ["scenario"] if "scenario" in runs else []
    return keys + [c for c in runs.columns if "." in c]


def _read_parquet(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise SweepError(
            f"{path}: cannot be read as Parquet ({type(exc).__name__}); is it corrupt?"
        ) from None
    missing = [c for c in required if c not in frame]
    if missing:
        raise SweepError(f"{path}: missing column(s) {', '.join(missing)}")
    if frame.empty:
        raise SweepError(f"{path}: has no rows")
    return frame


def _old_conditions(path: Path) -> bool:
    """A sweep from before conditions.parquet: its conditions.csv is the wide table."""
    if not (path / OLD_CONDITIONS).is_file():
        return False
    try:
        header = (path / OLD_CONDITIONS).open().readline()
    except (OSError, UnicodeDecodeError):
        return True  # let the reader name the problem
    return "outcome" not in header.strip().split(",")


def load(directory: str | Path, need: tuple[str, ...] = (RUNS,)) -> Sweep:
    """Read a sweep directory into a :class:`Sweep`.

    Args:
        directory: the sweep directory.
        need: files that must be present (``runs.parquet`` always is); the others are read when
            present and otherwise left as None.

    Raises:
        SweepError: the directory or a needed file is missing, or a file present is corrupt;
            the message names the file.

    >>> sweep = load("results/reference/sweep")          # doctest: +SKIP
    >>> sweep.runs.groupby("coordinator.fte")["t50_years"].mean()  # doctest: +SKIP
    """
    path = Path(directory)
    if not path.is_dir():
        raise SweepError(f"{path}: no such sweep directory")
    for name in dict.fromkeys([RUNS, *need]):  # runs.parquet first, in a fixed order
        if name == CONDITIONS and not (path / name).is_file() and _old_conditions(path):
            continue
        if not (path / name).is_file():
            raise SweepError(f"{path / name}: missing; is {path} a finished sweep directory?")
    runs = _read_parquet(path / RUNS, ("replicate",))
    timeseries = None
    if (path / TIMESERIES).is_file():
        timeseries = _read_parquet(path / TIMESERIES, ("replicate", "week"))
    conditions = None
    if (path / CONDITIONS).is_file():
        conditions = _read_parquet(path / CONDITIONS, ("condition_id",))
    elif _old_conditions(path):
        try:
            conditions = pd.read_csv(path / OLD_CONDITIONS)
        except Exception as exc:
            raise SweepError(
                f"{path / OLD_CONDITIONS}: cannot be read as CSV ({type(exc).__name__})"
            ) from None
        if conditions.empty:
            raise SweepError(f"{path / OLD_CONDITIONS}: has no rows")
    manifest: dict = {}
    if (path / MANIFEST).is_file():
        try:
            manifest = json.loads((path / MANIFEST).read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SweepError(f"{path / MANIFEST}: not valid JSON ({exc.__class__.__name__})") from None
        if not isinstance(manifest, dict):
            raise SweepError(f"{path / MANIFEST}: expected a JSON object")
    return Sweep(path, runs, timeseries, conditions, manifest, condition_keys(runs))

"""What every column copsim writes means: its unit and description, in one place.

Three tables, keyed by column name:

* :data:`WEEKLY` — the weekly series (``timeseries.parquet``; one row per replicate and week);
* :data:`SUMMARY` — one run's summary outcomes (``runs.parquet``, ``summary.csv``);
* :data:`IDENTITY` — the columns that say which run a row belongs to;
* :data:`CONDITIONS` and :data:`STATISTICS` — the condition table's own columns
  (``conditions.parquet``, ``conditions.csv``).

Condition keys (dotted config keys such as ``coordinator.fte``) take their unit and meaning
from the parameter schema (:func:`copsim.model.config.describe_parameters`), the one place that
defines parameters. :func:`describe` finds any column's entry; :func:`with_metadata` writes
them into a Parquet file's schema (field metadata ``unit`` and ``description``, and the
table's ``copsim`` metadata), where any Parquet reader finds them (``copsim-describe FILE``
lists them). ``tests/test_fields.py`` checks that every column the model writes has an entry:
a new outcome without one fails it.

The ``stage`` column is stored as a labelled category (:data:`STAGE_LABELS`), not a bare code.
"""

from __future__ import annotations

import functools
import json
from typing import Any, NamedTuple

import pandas as pd

from ..model.mechanisms.lifecycle import STAGES


class Field(NamedTuple):
    unit: str
    description: str


#: lifecycle stage labels, in the order of the model's stage codes (Wenger, McDermott & Snyder 2002)
STAGE_LABELS = STAGES

IDENTITY: dict[str, Field] = {
    "condition_id": Field("", "the condition's identity: <scenario>-<10 hex digits of its config's hash>"),
    "condition": Field("", "the condition's index in the plan (0, 1, ...; a single run: 0, its baseline 1)"),
    "label": Field(
        "", "the condition in words, e.g. 'safecities coordinator.fte=0.5' or 'safecities baseline'"
    ),
    "scenario": Field("", "the scenario the condition started from"),
    "root_seed": Field("", "the root seed replicate seeds are spawned from (a swept seed=)"),
    "replicate": Field(
        "", "replicate number, 0 to replicates-1; the same number has the same seed in every condition"
    ),
    "seed": Field("", "this replicate's seed (numpy SeedSequence spawned from the root seed)"),
    "week": Field("week", "weeks since the start; row 0 is the initial state"),
    "sample": Field("", "the design point of a sampled analysis (sensitivity, discovery)"),
}

WEEKLY: dict[str, Field] = {
    "adoption_share": Field(
        "share of adopting units", "share of adopting units that have adopted the practice (0-1)"
    ),
    "adopters": Field("units", "adopting units that have adopted"),
    "members": Field("practitioners", "community members (peripheral, active or core)"),
    "participation_rate": Field("share of practitioners", "members / practitioners"),
    "core_share": Field(
        "share of members", "core members / members (Wenger et al. 2002: 10-15 % when mature)"
    ),
    "active_share": Field("share of members", "active members / members (Wenger et al. 2002: 15-20 %)"),
    "peripheral_share": Field("share of members", "peripheral members / members"),
    "core": Field("practitioners", "core members"),
    "active": Field("practitioners", "active members"),
    "peripheral": Field("practitioners", "peripheral members"),
    "non_members": Field("practitioners", "practitioners who are not members"),
    "mean_knowledge": Field("knowledge (0-1)", "mean knowledge of working practitioners"),
    "sd_knowledge": Field("knowledge (0-1)", "standard deviation of knowledge"),
    "mean_knowledge_members": Field("knowledge (0-1)", "mean knowledge of members (0 when there are none)"),
    "cross_boundary_ties": Field("ties", "ties (formal and community) between different organizations"),
    "cross_boundary_trust": Field(
        "trust (0-1)",
        "mean over practitioners of their highest trust in someone in another organization "
        "(trust.stranger for those with no such tie)",
    ),
    "repertoire": Field("items", "tools, standards and stories the community has built"),
    "sharing_rate": Field(
        "share of exchanges", "share of community exchange opportunities in which knowledge was shared"
    ),
    "vitality": Field("0-1", "how alive the community is"),
    "stage": Field("category", "lifecycle stage of the community: " + ", ".join(STAGE_LABELS)),
    "sponsor_level": Field("0-1", "sponsorship in force"),
    "coordinator_hours": Field("hours/week", "coordination hours this week"),
    "coordination_demand": Field(
        "hours/week", "hours a week the coordination tasks need at the community's size"
    ),
    "member_hours": Field("hours/week", "hours members spent in the community this week (all members)"),
    "alumni": Field("people", "alumni (departed members) who still answer questions"),
    "retirements": Field("practitioners", "practitioners who retired this week"),
}

SUMMARY: dict[str, Field] = {
    "t50_weeks": Field(
        "weeks", "first week the adoption share reaches 50 %; missing when not reached (censored)"
    ),
    "t90_weeks": Field(
        "weeks", "first week the adoption share reaches 90 %; missing when not reached (censored)"
    ),
    "t50_years": Field("years", "t50_weeks in years (52 weeks); missing when censored"),
    "t90_years": Field("years", "t90_weeks in years; missing when censored"),
    "t50_censored": Field("true/false", "50 % adoption was not reached within the horizon"),
    "t90_censored": Field("true/false", "90 % adoption was not reached within the horizon"),
    "final_adoption_share": Field("share of adopting units", "adoption share at the end"),
    "adopter_years": Field("unit-years", "area under the adopters curve: adopting units x years adopted"),
    "final_members": Field("practitioners", "members at the end"),
    "participation_rate": Field("share of practitioners", "members / practitioners at the end"),
    "core_share": Field("share of members", "core members / members at the end"),
    "active_share": Field("share of members", "active members / members at the end"),
    "peripheral_share": Field("share of members", "peripheral members / members at the end"),
    "mean_knowledge": Field("knowledge (0-1)", "mean knowledge of working practitioners at the end"),
    "sd_knowledge": Field("knowledge (0-1)", "standard deviation of knowledge at the end"),
    "knowledge_retained": Field(
        "ratio", "mean knowledge at the end over its peak during the run (1: nothing lost)"
    ),
    "cross_boundary_ties": Field("ties", "ties between different organizations at the end"),
    "cross_boundary_trust": Field("trust (0-1)", "cross-boundary trust at the end (see the weekly column)"),
    "repertoire": Field("items", "the community's repertoire at the end"),
    "sharing_rate": Field("share of exchanges", "mean sharing rate over the weeks with community exchanges"),
    "time_to_talent_weeks": Field(
        "weeks",
        "median weeks for a hire to reach the competence threshold; missing when fewer than half got "
        "there (censored)",
    ),
    "time_to_talent_censored": Field(
        "true/false", "fewer than half of the hires reached competence, or none was hired"
    ),
    "coordinator_fte_years": Field(
        "FTE-years", "coordination time spent: team FTE x years (0 without a community)"
    ),
    "member_fte_years": Field(
        "FTE-years", "members' time in the community (what taking part costs the organizations)"
    ),
    "sponsor_level_years": Field("level-years", "sponsorship in force summed over the years"),
    "cost_coordinators_usd": Field(
        "US dollars", "coordinator FTE-years x the coordinator's loaded annual cost (when costs are given)"
    ),
    "cost_support_usd": Field(
        "US dollars", "this community's share of the support team's FTE-years x the staff's loaded cost"
    ),
    "cost_sponsor_usd": Field(
        "US dollars", "sponsorship level-years x the sponsor's time at full sponsorship x the sponsor's cost"
    ),
    "cost_total_usd": Field("US dollars", "coordinators + support team + sponsor"),
    "cost_per_extra_adopter_year_usd": Field(
        "US dollars per unit-year",
        "conditions only: extra cost over extra adopter-years against the baseline, pair by pair "
        "(missing when a pair gains less than one adopter-year)",
    ),
    "cost_per_week_to_talent_saved_usd": Field(
        "US dollars per week",
        "conditions only: extra cost over the weeks of time-to-talent saved against the baseline, pair "
        "by pair (missing when a pair saves less than a week or either run is censored)",
    ),
    "top10_contribution_share": Field(
        "share of contributions",
        "share of community contributions made by the most active 10 % of contributors",
    ),
}


#: the condition table's own columns (conditions.parquet, conditions.csv)
CONDITIONS: dict[str, Field] = {
    "status": Field("", "complete, failed or not run (statistics are empty unless complete)"),
    "n_replicates": Field("replicates", "replicates in runs.parquet"),
    "baseline_id": Field(
        "", "condition_id of this condition's dissemination-only baseline (empty for baselines)"
    ),
    "outcome": Field("", "the summary outcome the statistics are of (see runs.parquet)"),
    "unit": Field("", "the outcome's unit"),
}

#: per-outcome statistics of the condition table: suffix -> what it is (unit: the outcome's)
STATISTICS: dict[str, str] = {
    "mean": "mean over the runs where it is not missing",
    "lo": "lower end of the 95 % t-interval of the mean",
    "hi": "upper end of the 95 % t-interval of the mean",
    "n": "runs where it was reached (not censored)",
    "censored_share": "share of runs where it was not reached (censored)",
    "diff_mean": "mean paired difference, condition minus baseline, replicate by replicate",
    "diff_lo": "lower end of the 95 % t-interval of the paired difference",
    "diff_hi": "upper end of the 95 % t-interval of the paired difference",
    "diff_n": "pairs in which neither run is censored",
}


def _statistic(column: str) -> Field | None:
    """``t50_years_diff_lo`` and the like: a statistic of an outcome (wide condition table)."""
    for suffix in sorted(STATISTICS, key=len, reverse=True):
        outcome = column.removesuffix(f"_{suffix}")
        if outcome != column and outcome in SUMMARY:
            counts = suffix in ("n", "diff_n", "censored_share")
            unit = (
                "runs" if suffix in ("n", "diff_n") else "share of runs" if counts else SUMMARY[outcome].unit
            )
            return Field(unit, f"{STATISTICS[suffix]}: {outcome} ({SUMMARY[outcome].description})")
    if column in STATISTICS:  # the long table's statistic columns
        return Field(
            "the outcome's unit" if column not in ("n", "diff_n", "censored_share") else "",
            STATISTICS[column],
        )
    return None


@functools.cache
def _parameters() -> dict[str, Field]:
    from ..model.config import describe_parameters

    out = {}
    for row in describe_parameters():
        meaning = row.get("doc") or ""
        if row.get("choices"):
            meaning = f"{meaning}; one of {', '.join(row['choices'])}".lstrip("; ")
        source = f" (source: {row['source']})" if row.get("source") else ""
        text = f"model parameter {row['key']}: {meaning}".rstrip(": ") + source
        out[row["key"]] = Field(row.get("unit") or "", text)
    return out


def describe(column: str, table: str = "weekly") -> Field | None:
    """The unit and description of ``column`` in a ``weekly`` or ``summary`` table, or None.

    Identity columns and dotted config keys have one meaning everywhere; an outcome is looked up
    in the table's own dictionary first (``mean_knowledge`` is weekly in one, at the end in the
    other).
    """
    if column in IDENTITY:
        return IDENTITY[column]
    if table == "conditions" and (column in CONDITIONS or _statistic(column)):
        return CONDITIONS.get(column) or _statistic(column)
    own, other = (SUMMARY, WEEKLY) if table == "summary" else (WEEKLY, SUMMARY)
    if column in own:
        return own[column]
    if column in other:
        return other[column]
    if column == "community.enabled":
        return Field("true/false", "the community runs (false: the dissemination-only baseline)")
    params = _parameters()
    if column in params:
        return params[column]
    parts = column.split(".")
    if column.startswith("world.org_types.") and len(parts) > 3:
        generic = params.get(".".join([*parts[:2], "NAME", *parts[3:]]))
        if generic is not None:
            return Field(generic.unit, generic.description.replace(".NAME.", f".{parts[2]}."))
    return None


def label_stages(frame: pd.DataFrame) -> pd.DataFrame:
    """``stage`` as an ordered category of :data:`STAGE_LABELS` (codes 0-5 become their labels)."""
    if "stage" not in frame.columns or isinstance(frame["stage"].dtype, pd.CategoricalDtype):
        return frame
    codes = frame["stage"].to_numpy()
    stage = pd.Categorical.from_codes(codes.astype("int8"), categories=list(STAGE_LABELS), ordered=True)
    return frame.assign(stage=stage)


def with_metadata(frame: pd.DataFrame, table: str, extra: dict[str, Any] | None = None):
    """``frame`` as a pyarrow Table whose fields carry ``unit`` and ``description`` metadata, and
    whose schema carries ``copsim`` metadata (the table kind, copsim's version, ``extra``)."""
    import pyarrow as pa

    from .provenance import copsim_version

    arrow = pa.Table.from_pandas(label_stages(frame), preserve_index=False)
    fields = []
    for f in arrow.schema:
        meta = describe(f.name, table)
        fields.append(f.with_metadata({"unit": meta.unit, "description": meta.description}) if meta else f)
    info = {"table": table, "copsim": copsim_version(), **(extra or {})}
    schema = pa.schema(
        fields, metadata={**(arrow.schema.metadata or {}), b"copsim": json.dumps(info).encode()}
    )
    return arrow.cast(schema)


def read_fields(path) -> pd.DataFrame:
    """The columns of a Parquet file with their type, unit and description (from its metadata;
    no copsim needed to write them, only pyarrow to read)."""
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    rows = []
    for f in schema:
        meta = {k.decode(): v.decode() for k, v in (f.metadata or {}).items()}
        rows.append(
            {
                "column": f.name,
                "type": str(f.type),
                "unit": meta.get("unit", ""),
                "description": meta.get("description", ""),
            }
        )
    return pd.DataFrame(rows, columns=["column", "type", "unit", "description"])


def parameter_lines() -> list[str]:
    """Every model parameter as text: key = default [unit; allowed], its source, its meaning."""
    from ..model.config import describe_parameters

    lines = []
    for row in describe_parameters():
        if row.get("choices"):
            allowed = "one of " + ", ".join(row["choices"])
        elif row.get("lo") is not None:
            allowed = f"{row['lo']} to {row['hi']}"
        else:
            allowed = "true or false" if isinstance(row["default"], bool) else "text"
        unit = f"{row['unit']}; " if row.get("unit") else ""
        lines.append(f"{row['key']} = {row['default']!r}  [{unit}{allowed}]  source: {row.get('source', '')}")
        if row.get("doc"):
            lines.append(f"    {row['doc']}")
    return lines


def column_lines(path) -> list[str]:
    """A Parquet file's columns as aligned text: name, type, unit, description."""
    table = read_fields(path)
    width = max(len(c) for c in table["column"]) if len(table) else 0
    kinds = max(len(t) for t in table["type"]) if len(table) else 0
    lines = []
    for r in table.itertuples():
        unit = f"[{r.unit}] " if r.unit else ""
        lines.append(f"  {r.column:<{width}}  {r.type:<{kinds}}  {unit}{r.description}".rstrip())
    return lines


def main(argv: list[str] | None = None) -> None:
    """``copsim-describe FILE|DIR [...]``: the columns of copsim's Parquet files with their type,
    unit and description; ``copsim-describe --parameters``: every model parameter."""
    import argparse
    import sys
    from pathlib import Path

    parser = argparse.ArgumentParser(
        prog="copsim-describe",
        description="The columns of copsim's Parquet files (type, unit, description), or the parameters.",
    )
    parser.add_argument(
        "paths", nargs="*", help="Parquet files, or folders holding them (a run's or a sweep's)"
    )
    parser.add_argument("--parameters", action="store_true", help="list every model parameter instead")
    args = parser.parse_args(argv)
    if not args.parameters and not args.paths:
        parser.error("give a Parquet file or a folder, or --parameters")
    out: list[str] = []
    if args.parameters:
        out = parameter_lines()
    for name in args.paths:
        path = Path(name)
        files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
        if not files or not all(f.is_file() for f in files):
            print(f"copsim-describe: error: {path}: no Parquet file there", file=sys.stderr)
            sys.exit(2)
        for file in files:
            try:
                out += [f"{file}:", *column_lines(file)]
            except Exception as exc:  # pyarrow raises several types for files that are not Parquet
                print(
                    f"copsim-describe: error: {file}: cannot be read as Parquet ({type(exc).__name__})",
                    file=sys.stderr,
                )
                sys.exit(2)
    try:
        print("\n".join(out))
    except BrokenPipeError:  # copsim-describe ... | head
        sys.stderr.close()


if __name__ == "__main__":
    main()

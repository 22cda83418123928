"""What every column copsim writes means: its unit and description, in one place.

Three tables, keyed by column name:

* :data:`WEEKLY` — the weekly series (``timeseries.parquet``; one row per replicate and week);
* :data:`SUMMARY` — one run's summary outcomes (``runs.parquet``, ``summary.csv``);
* :data:`IDENTITY` — the columns that say which run a row belongs to.

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
    "sponsor_level_years": Field("level-years", "sponsorship in force summed over the years"),
    "top10_contribution_share": Field(
        "share of contributions",
        "share of community contributions made by the most active 10 % of contributors",
    ),
}


@functools.cache
def _parameters() -> dict[str, Field]:
    from ..model.config import describe_parameters

    out = {}
    for row in describe_parameters():
        meaning = row.get("doc") or ""
        if row.get("choices"):
            meaning = f"{meaning}; one of {', '.join(row['choices'])}".lstrip("; ")
        out[row["key"]] = Field(
            row.get("unit") or "", f"model parameter {row['key']}: {meaning}".rstrip(": ")
        )
    return out


def describe(column: str, table: str = "weekly") -> Field | None:
    """The unit and description of ``column`` in a ``weekly`` or ``summary`` table, or None.

    Identity columns and dotted config keys have one meaning everywhere; an outcome is looked up
    in the table's own dictionary first (``mean_knowledge`` is weekly in one, at the end in the
    other).
    """
    if column in IDENTITY:
        return IDENTITY[column]
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

"""Whether a case's numbers are calibrated or illustrative: one status line for every face.

The dashboard shows it under the headline, ``copsim-report`` beside its findings and
``copsim-run`` under its printed summary, all through :func:`case_status`, so the three never
say it differently.

The status belongs beside each scenario file; it is kept here, keyed by scenario name, because
the config schema (:class:`copsim.CopConfig`) is closed and refuses keys that are not model
parameters. A case becomes ``calibrated`` only when its adoption figures have been fitted to an observed
series (``copsim-calibrate``); docs/CASES.md gives each case's facts, sources and status.
"""

from __future__ import annotations

from dataclasses import dataclass

#: the statuses a case can have
STATUSES = ("calibrated", "illustrative")


@dataclass(frozen=True)
class CaseStatus:
    """A case's status and the one-line reason for it."""

    status: str  # one of STATUSES
    reason: str


#: the status of each scenario in conf/scenario/ (the reasons follow docs/CASES.md, which gives
#: the facts and their sources per case)
CASE_STATUS: dict[str, CaseStatus] = {
    "rumble_strips": CaseStatus(
        "illustrative",
        "sizes and horizon come from sources, but the only adoption series found has two points, so "
        "the adoption rates are not fitted to data",
    ),
    "e_regulation": CaseStatus(
        "illustrative",
        "size and horizon are sourced, but no source counts member agencies adopting by date, so "
        "adoption is not fitted to data",
    ),
    "safecities": CaseStatus(
        "illustrative",
        "the network's size, founders and sponsor's timeline are sourced, but nothing public counts "
        "cities adopting by date, so adoption is not fitted to data",
    ),
    "company_command": CaseStatus(
        "illustrative",
        "tour length and the sponsorship timeline are sourced, but membership and learning by year "
        "were not found, so time-to-talent is not fitted to data",
    ),
    "bass": CaseStatus(
        "illustrative",
        "a test case: the Bass (1969) model with textbook parameters, not a real initiative",
    ),
}


def case_status(scenario_name: str) -> str:
    """The one plain line on how far a case's numbers can be trusted.

    >>> case_status("rumble_strips").split(":")[0]
    'Illustrative, not a forecast'
    """
    entry = CASE_STATUS.get(scenario_name)
    if entry is None:
        return (
            f"Illustrative, not a forecast: '{scenario_name}' is not one of copsim's cases, "
            "and nothing says its parameters were fitted to data."
        )
    if entry.status == "calibrated":
        return f"Calibrated: {entry.reason}."
    return f"Illustrative, not a forecast: {entry.reason}."

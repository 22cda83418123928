"""Whether a case's numbers are calibrated or illustrative: one status line for every face.

The dashboard shows it under the headline, ``copsim-report`` beside its findings and
``copsim-run`` under its printed summary, all through :func:`case_status`, so the three never
say it differently.

The status belongs beside each scenario file; it is kept here, keyed by scenario name, because
the config schema (:class:`copsim.CopConfig`) is closed and refuses keys that are not model
parameters. A case becomes ``calibrated`` only when its parameters have been fitted to observed
data (``copsim-calibrate``) and checked against data not used in the fit.
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


#: the status of each scenario in conf/scenario/
CASE_STATUS: dict[str, CaseStatus] = {
    "rumble_strips": CaseStatus(
        "illustrative",
        "its adoption rates and most behaviour are informed guesses, not fitted to the states' "
        "actual adoption of rumble strips",
    ),
    "e_regulation": CaseStatus(
        "illustrative",
        "the agencies' adoption and most behaviour are informed guesses; no adoption data were fitted",
    ),
    "safecities": CaseStatus(
        "illustrative",
        "the cities' adoption and most behaviour are informed guesses; no adoption data were fitted",
    ),
    "company_command": CaseStatus(
        "illustrative",
        "time-to-talent and most behaviour are informed guesses, not fitted to data on new commanders",
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

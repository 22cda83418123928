"""Saved scenarios: named requests a user keeps to compare side by side and run by run.

A saved scenario is a :class:`~copsim.app.levers.Request` with the user's name for it. The name is
a label only: it never reaches the config, is cleaned to one short line of plain text, and is
shown wherever the scenario is (the comparison view, the memo, the downloads). Each scenario is
compared with the first (A) run by run when both are the same case (same organizations and
people, same seeds); other cases are not paired and the text says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..analysis.times import compare_paired
from . import wording
from .cases import case_of
from .levers import Request
from .runner import JobOutput

#: longest name kept (characters)
MAX_NAME = 60


def clean_name(text: str) -> str:
    """One line of plain text: control characters and ``|`` (the link's separator) removed,
    spaces collapsed, at most :data:`MAX_NAME` characters."""
    text = re.sub(r"[\x00-\x1f\x7f|]", " ", str(text))
    return " ".join(text.split())[:MAX_NAME].strip()


def default_name(request: Request) -> str:
    """``Rumble Strips, coordinator 20 h/week, 10 runs``."""
    short = case_of(request.scenario).title.split(" (")[0]
    return clean_name(f"{short}, {wording.describe_changes(request.overrides)}, {request.replicates} runs")


@dataclass(frozen=True)
class Saved:
    """A saved scenario: the user's name and the request."""

    name: str
    request: Request

    @classmethod
    def of(cls, request: Request, name: str = "") -> Saved:
        return cls(clean_name(name) or default_name(request), request)

    def label(self, index: int) -> str:
        """``B: the name`` (letters in the order saved)."""
        return f"{chr(65 + index)}: {self.name}"


def difference(first: Saved, first_output: JobOutput | None, other: Saved, output: JobOutput | None,
               letter: str) -> str:  # fmt: skip
    """The scenario ``letter`` against A: the verdict, the runs each way, the paired difference."""
    if first_output is None or output is None:
        return f"{letter}: waiting for both results."
    if other.request.scenario != first.request.scenario:
        return (
            f"{letter} is another case than A: its runs are not paired with A's (different organizations "
            "and people), so only their headlines can be compared."
        )
    case = case_of(other.request.scenario)
    key = case.outcome.key
    n = min(other.request.replicates, first.request.replicates)
    paired = compare_paired(output.comparison.values(key)[:n], first_output.comparison.values(key)[:n])
    if paired.first_surely_sooner:
        verdict = f"{letter} is sooner than A beyond chance"
    elif paired.first_surely_later:
        verdict = f"{letter} is later than A beyond chance"
    else:
        verdict = f"with {n} paired runs, {letter} and A cannot be told apart"
    counts = f"{letter} sooner in {paired.first_sooner} of {paired.n} runs, A sooner in {paired.first_later}"
    if paired.same:
        counts += f", the same in {paired.same}"
    if paired.neither:
        counts += f", neither got there in {paired.neither}"
    size = wording.paired_difference_text(paired, case.outcome.unit, letter, "A")
    return f"{case.outcome.short}: {verdict}; {counts}; {size}."


def table_csv(items: list[tuple[Saved, JobOutput | None]]) -> str:
    """Every saved scenario's runs (both conditions) in one CSV, each row led by the scenario's name."""
    frames = [
        output.comparison.summary_table().assign(scenario_name=item.name)
        for item, output in items
        if output is not None
    ]
    if not frames:
        return ""
    table = pd.concat(frames, ignore_index=True)
    table.insert(0, "scenario_name", table.pop("scenario_name"))
    return table.to_csv(index=False)

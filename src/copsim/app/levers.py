"""The page's levers, and how a choice of levers becomes a validated :class:`~copsim.CopConfig`.

Every lever maps to one or two config keys. The page offers only bounded widgets (sliders,
checkboxes, fixed choices); whatever arrives is still turned into Hydra-style ``key=value``
overrides and passed through :func:`copsim.load_config`, so it is validated by the same
:class:`~copsim.ConfigError` path as ``copsim-run``. No free text ever reaches the config.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from ..model.config import ConfigError, CopConfig, load_config
from .cases import CASES

#: working hours in one full-time equivalent (FTE), hours per week
HOURS_PER_FTE = 40.0
#: bounds on the number of replicates the page may run (each replicate runs twice: with and
#: without the community)
MIN_REPLICATES, MAX_REPLICATES, DEFAULT_REPLICATES = 2, 30, 10
WEEKS_PER_YEAR = 52


@dataclass(frozen=True)
class Levers:
    """What a user can change. Units: hours per week, 0-1 scales, years since launch."""

    coordinator_hours: float  # hours per week of coordination (FTE x 40)
    technical_competence: float  # 0-1: knows the field
    interpersonal_competence: float  # 0-1: connects people
    sponsor_level: float  # 0-1: protected member time and budget
    mandate: bool  # True: participation is mandated
    sponsor_board: bool  # a sponsor board keeps support when the sponsor leaves
    sponsor_departure_year: int | None  # year the sponsor leaves; None: stays
    support_team: bool
    retirement_wave: bool

    @property
    def coordinator_fte(self) -> float:
        """Coordinator time as a full-time-equivalent share (0-1)."""
        return round(self.coordinator_hours / HOURS_PER_FTE, 4)


def _number(value: float) -> str:
    """A number as the shortest text that round-trips (``0.5``, ``36.0`` -> ``36``)."""
    value = float(value)
    if not math.isfinite(value):
        raise ConfigError(f"lever: {value!r} is not allowed; must be a finite number")
    return str(int(value)) if value.is_integer() else repr(round(value, 6))


def _bool(value: bool) -> str:
    return "true" if value else "false"


def lever_values(levers: Levers) -> dict[str, str]:
    """The config keys the levers set, with their values as override text, in a fixed order."""
    if levers.sponsor_departure_year is None:
        departure = -1
    else:
        departure = int(levers.sponsor_departure_year) * WEEKS_PER_YEAR
    return {
        "coordinator.fte": _number(levers.coordinator_fte),
        "coordinator.technical_competence": _number(levers.technical_competence),
        "coordinator.interpersonal_competence": _number(levers.interpersonal_competence),
        "sponsor.level": _number(levers.sponsor_level),
        "sponsor.mandate": _bool(levers.mandate),
        "sponsor.board": _bool(levers.sponsor_board),
        "sponsor.departure_week": str(departure),
        "support_team.enabled": _bool(levers.support_team),
        "demography.wave": _bool(levers.retirement_wave),
    }


def levers_from_config(config: CopConfig) -> Levers:
    """The levers as a scenario sets them (the page's starting position for that case)."""
    week = config.sponsor.departure_week
    return Levers(
        coordinator_hours=config.coordinator.fte * HOURS_PER_FTE,
        technical_competence=config.coordinator.technical_competence,
        interpersonal_competence=config.coordinator.interpersonal_competence,
        sponsor_level=config.sponsor.level,
        mandate=config.sponsor.mandate,
        sponsor_board=config.sponsor.board,
        sponsor_departure_year=None if week < 0 else max(1, round(week / WEEKS_PER_YEAR)),
        support_team=config.support_team.enabled,
        retirement_wave=config.demography.wave,
    )


def scenario_defaults(scenario: str) -> CopConfig:
    """The scenario's config as the page starts from it."""
    check_case(scenario)
    return load_config(scenario)


def check_case(scenario: str) -> None:
    """Only the four cases may be chosen on the page."""
    if scenario not in CASES:
        raise ConfigError(f"scenario: {scenario!r} is not offered; choose one of {', '.join(CASES)}")


def check_replicates(replicates: int) -> int:
    """Replicates as a whole number within the page's bounds, else ConfigError."""
    if isinstance(replicates, bool) or not isinstance(replicates, int):
        raise ConfigError(f"replicates: {replicates!r} is not allowed; a whole number")
    if not MIN_REPLICATES <= replicates <= MAX_REPLICATES:
        raise ConfigError(
            f"replicates: {replicates!r} is out of range; allowed {MIN_REPLICATES} to {MAX_REPLICATES}"
        )
    return replicates


def to_overrides(scenario: str, levers: Levers) -> list[str]:
    """Overrides for the levers that differ from the scenario's own values.

    Only changed keys are listed so the exported command stays short and readable; the result
    is the same config either way.
    """
    check_case(scenario)
    base = lever_values(levers_from_config(scenario_defaults(scenario)))
    chosen = lever_values(levers)
    changed = [f"{key}={value}" for key, value in chosen.items() if base[key] != value]
    return changed


def build_config(scenario: str, levers: Levers) -> tuple[CopConfig, list[str]]:
    """Validated config and its overrides; raises ConfigError with one line on bad input."""
    overrides = to_overrides(scenario, levers)
    return load_config(scenario, overrides), overrides


def baseline_of(config: CopConfig) -> CopConfig:
    """The dissemination-only baseline (``community.enabled=false``) of a config, same seed."""
    return dataclasses.replace(config, community=dataclasses.replace(config.community, enabled=False))


def horizon_years(config: CopConfig) -> float:
    """The run's horizon in years."""
    return config.horizon_weeks / WEEKS_PER_YEAR

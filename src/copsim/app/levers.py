"""The page's levers, and how a choice of levers becomes a validated :class:`~copsim.CopConfig`.

Every lever maps to one config key. The page offers only bounded widgets (sliders, checkboxes,
fixed choices); whatever arrives (from the widgets or from a link's query string) is still
turned into Hydra-style ``key=value`` overrides and passed through :func:`copsim.load_config`,
so it is validated by the same :class:`~copsim.ConfigError` path as ``copsim-run``. No free
text ever reaches the config, and only the keys in :data:`LEVER_KEYS` can be set.

:data:`HELP` holds each lever's help text: what it does in the model and which other setting
overrides it (read from the model's rules; a unit test runs the model to check each claim).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
from dataclasses import dataclass

from ..model.config import ConfigError, CopConfig, load_config, scenario_file
from .cases import CASES
from .own_scenario import user_scenarios

#: working hours in one full-time equivalent (FTE), hours per week
HOURS_PER_FTE = 40.0
#: bounds on the number of replicates the page may run (each replicate runs twice: with and
#: without the community)
MIN_REPLICATES, MAX_REPLICATES, DEFAULT_REPLICATES = 2, 30, 10
#: bounds of the coordinator team on the page (the config allows up to 50)
MAX_TEAM = 10
WEEKS_PER_YEAR = 52


@dataclass(frozen=True)
class Levers:
    """What a user can change. Units: hours per week, 0-1 scales, people, years since launch."""

    coordinator_hours: float  # hours per week of coordination, per coordinator (FTE x 40)
    coordinator_team: int  # coordinators, each with coordinator_hours a week
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
        """Each coordinator's time as a full-time-equivalent share (0-1)."""
        return round(self.coordinator_hours / HOURS_PER_FTE, 4)


#: the config key behind each lever, in the order the page shows them
LEVER_KEYS = (
    "coordinator.fte",
    "coordinator.team_size",
    "coordinator.technical_competence",
    "coordinator.interpersonal_competence",
    "sponsor.level",
    "sponsor.mandate",
    "sponsor.board",
    "sponsor.departure_week",
    "support_team.enabled",
    "demography.wave",
)

#: each lever's help text: what it does in the model, and when another setting overrides it
HELP = {
    "coordinator.fte": "Hours a week each coordinator spends organizing activities, introducing members "
    "across organizations, routing questions and recruiting; each use has diminishing returns. "
    "40 hours is one full-time person (1 FTE); the article advises half-time or more. At 0 the "
    "community has no coordination and decays, and the coordinator's knowledge and people skills "
    "no longer matter.",
    "coordinator.team_size": "How many coordinators share the work; the team's hours are this number times "
    "the hours above, and so is the cost. Has no effect when coordinator time is 0.",
    "coordinator.technical_competence": "0 a novice, 1 a recognized expert. Scales how many questions the "
    "coordinator routes to experts and how well the shared repertoire is curated. Has no effect when "
    "coordinator time is 0; a support team coaches it upward over time.",
    "coordinator.interpersonal_competence": "0 poor, 1 excellent at connecting people. Scales the effect "
    "of organized activities, introductions across organizations and recruitment. Has no effect when "
    "coordinator time is 0; a support team coaches it upward over time.",
    "sponsor.level": "How much an executive sponsor backs the community: up to 70 % of members' time "
    "cost is protected, and the sponsor's standing lends legitimacy that draws members and raises "
    "units' outside push to adopt. At 0 a mandate has no effect, and neither does the sponsor leaving.",
    "sponsor.mandate": "Mandated: people are made members but lose some of their own motivation "
    "(Deci, Koestner & Ryan 1999), so they share less; the sharing rate below shows it. Has no effect "
    "when sponsorship is 0.",
    "sponsor.board": "A group of executives that keeps 80 % of the sponsorship when the sponsor leaves; "
    "without one, support lapses until a new sponsor is found (about 2 years on average). Matters only "
    "when the sponsor leaves.",
    "sponsor.departure_week": "The year the executive sponsor moves on. Without a board, sponsorship "
    "drops to 0 until a replacement arrives; with a board, 80 % of it stays. Has no effect when "
    "sponsorship is 0.",
    "support_team.enabled": "A small central team that coaches coordinators (their knowledge and people "
    "skills grow toward 1) and runs a better online platform, which makes online channels cheaper to "
    "use. It serves several communities, so this one gets a share of its time.",
    "demography.wave": "Half of the workforce retires over seven years from year 1 (the article's "
    "'demographic time bomb'); new hires start knowing little. Acts with and without the community.",
}


def _number(value: float) -> str:
    """A number as the shortest text that round-trips (``0.5``, ``36.0`` -> ``36``)."""
    value = float(value)
    if not math.isfinite(value):
        raise ConfigError(f"lever: {value!r} is not allowed; must be a finite number")
    return str(int(value)) if value.is_integer() else repr(round(value, 6))


def _bool(value: bool) -> str:
    return "true" if value else "false"


def lever_values(levers: Levers) -> dict[str, str]:
    """The config keys the levers set (:data:`LEVER_KEYS`), with their values as override text."""
    if levers.sponsor_departure_year is None:
        departure = -1
    else:
        departure = int(levers.sponsor_departure_year) * WEEKS_PER_YEAR
    values = {
        "coordinator.fte": _number(levers.coordinator_fte),
        "coordinator.team_size": _number(levers.coordinator_team),
        "coordinator.technical_competence": _number(levers.technical_competence),
        "coordinator.interpersonal_competence": _number(levers.interpersonal_competence),
        "sponsor.level": _number(levers.sponsor_level),
        "sponsor.mandate": _bool(levers.mandate),
        "sponsor.board": _bool(levers.sponsor_board),
        "sponsor.departure_week": str(departure),
        "support_team.enabled": _bool(levers.support_team),
        "demography.wave": _bool(levers.retirement_wave),
    }
    return {key: values[key] for key in LEVER_KEYS}


def levers_from_config(config: CopConfig) -> Levers:
    """The levers as a config sets them (for a scenario: the page's starting position)."""
    week = config.sponsor.departure_week
    return Levers(
        coordinator_hours=config.coordinator.fte * HOURS_PER_FTE,
        coordinator_team=config.coordinator.team_size,
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
    return load_case(scenario)


def load_case(scenario: str, overrides: tuple[str, ...] | list[str] = ()) -> CopConfig:
    """:func:`copsim.load_config`, remembered: one draw of the page asks for the same configs many
    times, and composing one takes about a quarter of a second. A scenario file that changed
    (a user's scenario saved again) is read again. Returns a copy the caller may change."""
    path, _ = scenario_file(scenario)
    stat = path.stat()
    return copy.deepcopy(_load_case(scenario, tuple(overrides), str(path), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=256)
def _load_case(scenario: str, overrides: tuple[str, ...], path: str, mtime_ns: int, size: int) -> CopConfig:
    return load_config(scenario, list(overrides))


def check_case(scenario: str) -> None:
    """Only the four cases and the user's own scenarios (:mod:`copsim.app.own_scenario`) may be chosen."""
    if scenario not in CASES and scenario not in user_scenarios():
        offered = ", ".join([*CASES, *user_scenarios()])
        raise ConfigError(f"scenario: {scenario!r} is not offered; choose one of {offered}")


def check_replicates(replicates: int) -> int:
    """Replicates as a whole number within the page's bounds, else ConfigError."""
    if isinstance(replicates, bool) or not isinstance(replicates, int):
        raise ConfigError(f"replicates: {replicates!r} is not allowed; a whole number")
    if not MIN_REPLICATES <= replicates <= MAX_REPLICATES:
        raise ConfigError(
            f"replicates: {replicates!r} is out of range; allowed {MIN_REPLICATES} to {MAX_REPLICATES}"
        )
    return replicates


def check_team(team: int) -> int:
    """The coordinator team as the page offers it (1 to :data:`MAX_TEAM`), else ConfigError."""
    if isinstance(team, bool) or not isinstance(team, int) or not 1 <= team <= MAX_TEAM:
        raise ConfigError(f"coordinator.team_size: {team!r} is out of range; allowed 1 to {MAX_TEAM}")
    return team


def to_overrides(scenario: str, levers: Levers) -> list[str]:
    """Overrides for the levers that differ from the scenario's own values.

    Only changed keys are listed so the exported command stays short and readable; the result
    is the same config either way.
    """
    check_case(scenario)
    check_team(levers.coordinator_team)
    base = lever_values(levers_from_config(scenario_defaults(scenario)))
    chosen = lever_values(levers)
    return [f"{key}={value}" for key, value in chosen.items() if base[key] != value]


def levers_from_overrides(scenario: str, overrides: list[str]) -> Levers:
    """The levers a list of lever overrides sets in a case (from a link); ConfigError if not levers."""
    for item in overrides:
        key = item.partition("=")[0]
        if key not in LEVER_KEYS:
            raise ConfigError(f"{key}: not a lever of the page; allowed {', '.join(LEVER_KEYS)}")
    check_case(scenario)
    return levers_from_config(load_case(scenario, overrides))


def build_config(scenario: str, levers: Levers) -> tuple[CopConfig, list[str]]:
    """Validated config and its overrides; raises ConfigError with one line on bad input."""
    overrides = to_overrides(scenario, levers)
    return load_case(scenario, overrides), overrides


@dataclass(frozen=True)
class Request:
    """One question the page can answer: a case, the levers changed from it, and how many runs.

    Equal requests give equal numbers (same seeds), so a request is also the key under which
    answers are kept, shared and compared with what the levers now say.
    """

    scenario: str
    overrides: tuple[str, ...]
    replicates: int

    @classmethod
    def of(cls, scenario: str, levers: Levers, replicates: int) -> Request:
        return cls(scenario, tuple(to_overrides(scenario, levers)), check_replicates(replicates))

    def config(self) -> CopConfig:
        """The validated config (ConfigError with one line if anything is out of bounds)."""
        check_case(self.scenario)
        check_replicates(self.replicates)
        return load_case(self.scenario, self.overrides)


def baseline_of(config: CopConfig) -> CopConfig:
    """The dissemination-only baseline (``community.enabled=false``) of a config, same seed.

    The community's own levers (the coordinator, the support team, the mandate) are set back to
    the case's values: a run without the community does not read them (tests/test_baseline_sharing.py
    checks it for every case), so every setting of them shares one baseline and the page runs it once.
    """
    case = scenario_defaults(config.scenario)
    return dataclasses.replace(
        config,
        community=dataclasses.replace(config.community, enabled=False),
        coordinator=case.coordinator,
        support_team=case.support_team,
        sponsor=dataclasses.replace(config.sponsor, mandate=case.sponsor.mandate),
    )


def horizon_years(config: CopConfig) -> float:
    """The run's horizon in years."""
    return config.horizon_weeks / WEEKS_PER_YEAR

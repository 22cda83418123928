"""Typed, validated parameter schema: the one source of truth for every model parameter.

Every parameter is a dataclass field declared with :func:`param`, which records its unit, its
allowed range and its source (a citation, the source article, or the word *guess*). The same
dataclasses are registered with Hydra's ConfigStore (for ``copsim-run``) and used by
:func:`load_config` (for Python users), so both paths validate identically and exactly once,
before anything runs.

Rates are per week unless the name says otherwise; Bass coefficients are per year, as in the
literature.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import threading
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

SECTORS = ("federal", "state", "local", "nonprofit", "private", "military")
LEVELS = ("federal", "state", "local")
TOPOLOGIES = ("organizational", "complete", "ring", "watts_strogatz")
MEMBERSHIP_LEVELS = ("non-member", "peripheral", "active", "core")


class ConfigError(ValueError):
    """A configuration is invalid. The message is one line: the key, the value, what is allowed."""


def param(
    default: Any,
    lo: float | None = None,
    hi: float | None = None,
    *,
    unit: str = "",
    source: str = "guess",
    doc: str = "",
    choices: tuple[str, ...] | None = None,
) -> Any:
    """Declare a parameter: default, inclusive range [lo, hi], unit, source and meaning."""
    meta = {"lo": lo, "hi": hi, "unit": unit, "source": source, "doc": doc, "choices": choices}
    return field(default=default, metadata=meta)


def group(cls: type) -> Any:
    """A nested parameter group with its own defaults."""
    return field(default_factory=cls)


# --------------------------------------------------------------------------------------------
# World
# --------------------------------------------------------------------------------------------
@dataclass
class OrgType:
    """A kind of organization in a scenario (e.g. state DOTs), and its share of all organizations."""

    share: float = param(1.0, 0.0, 1.0, unit="share of organizations")
    sector: str = param("state", choices=SECTORS, doc="sector of government or society")
    level: str = param("state", choices=LEVELS, doc="level of government")
    adopting: bool = param(True, doc="is an adopting unit of the innovation")
    silo: float = param(0.5, 0.0, 1.0, unit="0-1", doc="mean silo strength (closedness)")
    size_weight: float = param(1.0, 0.001, 1000.0, unit="relative", doc="relative staff size")
    sponsor_home: bool = param(False, doc="the executive sponsor sits in this kind of organization")


@dataclass
class WorldConfig:
    n_organizations: int = param(60, 1, 200_000, unit="organizations")
    n_practitioners: int = param(400, 1, 2_000_000, unit="practitioners")
    topology: str = param(
        "organizational",
        choices=TOPOLOGIES,
        doc="formal network: organizational (dense inside, sparse across), complete mixing, "
        "ring of units, or Watts-Strogatz small world over practitioners",
    )
    within_degree: float = param(
        6.0, 0.0, 200.0, unit="ties per practitioner", doc="mean formal ties inside the own organization"
    )
    cross_degree: float = param(
        0.6,
        0.0,
        50.0,
        unit="ties per practitioner",
        doc="mean formal cross-organization ties before silo thinning",
    )
    ring_neighbours: int = param(2, 2, 200, unit="neighbours", doc="k of the ring / small world")
    rewiring: float = param(0.1, 0.0, 1.0, unit="probability", doc="Watts-Strogatz rewiring")
    size_dispersion: float = param(0.5, 0.0, 3.0, unit="log-sd", doc="spread of org sizes")
    #: the kinds of organization, by name; no default: a scenario file names every kind its world
    #: has, and they replace (never merge into) anything else (docs/ODD.md)
    org_types: dict[str, OrgType] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Community and leadership
# --------------------------------------------------------------------------------------------
@dataclass
class ChannelsConfig:
    """Intensity (0 = not used, 1 = fully used) of each activity channel the community runs.

    Channel yields and costs are in :mod:`copsim.model.mechanisms.interaction`.
    """

    online_library: float = param(0.0, 0.0, 1.0, unit="intensity", doc="library, stories, tools")
    qa_referral: float = param(0.0, 0.0, 1.0, unit="intensity", doc="Q&A and expert directory")
    face_to_face: float = param(0.0, 0.0, 1.0, unit="intensity", doc="meetings and site visits")
    teleconference: float = param(0.0, 0.0, 1.0, unit="intensity", doc="calls and listserv")
    conference: float = param(0.0, 0.0, 1.0, unit="intensity", doc="annual conference")
    joint_project: float = param(0.0, 0.0, 1.0, unit="intensity", doc="joint projects")


@dataclass
class CommunityConfig:
    enabled: bool = param(True, doc="false gives the dissemination-only baseline")
    channels: ChannelsConfig = group(ChannelsConfig)
    initial_awareness: float = param(0.15, 0.0, 1.0, unit="share of practitioners")
    founding_share: float = param(
        0.03, 0.0, 1.0, unit="share of practitioners", doc="founding members at week 0 (core)"
    )
    word_of_mouth: float = param(
        0.05, 0.0, 1.0, unit="per week", doc="awareness hazard per member colleague share"
    )
    initial_vitality: float = param(0.3, 0.0, 1.0, unit="0-1", doc="vitality of the new community at launch")
    vitality_gain: float = param(0.08, 0.0, 1.0, unit="per week at full coordination")
    vitality_decay: float = param(
        0.02, 0.0, 1.0, unit="per week", doc="decay of an uncoordinated community (Wenger et al. 2002)"
    )
    platform_quality: float = param(
        0.3, 0.0, 1.0, unit="0-1", doc="online platform quality without a support team"
    )


@dataclass
class CoordinatorConfig:
    """The coordination team: its time, competence and connections, and the work there is.

    A coordinator's hours go to five tasks, each with a demand in hours a week that grows with
    the community (:mod:`copsim.model.mechanisms.coordination`): hours beyond the demand do less
    and less. The per-unit demands are guesses, sized so that an active community of a few
    hundred members across a few dozen organizations needs about half a full-time week or more,
    as the source article says ("ideally ... half-time or more"; Wenger, McDermott & Snyder
    2002 give no hours).
    """

    fte: float = param(0.5, 0.0, 1.0, unit="FTE per coordinator", source="article: ideally half-time or more")
    team_size: int = param(1, 1, 50, unit="coordinators")
    technical_competence: float = param(
        0.6, 0.0, 1.0, unit="0-1", source="guess (the article names competence as crucial, gives no number)"
    )
    interpersonal_competence: float = param(
        0.6, 0.0, 1.0, unit="0-1", source="guess (the article names competence as crucial, gives no number)"
    )
    connections: float = param(
        0.5,
        0.0,
        1.0,
        unit="0-1",
        doc="access to decision makers",
        source="guess (article: connections matter)",
    )
    share_activities: float = param(0.35, 0.0, 1.0, unit="share of hours", doc="organizing events")
    share_brokering: float = param(
        0.25, 0.0, 1.0, unit="share of hours", doc="introductions across organizations"
    )
    share_qa: float = param(0.2, 0.0, 1.0, unit="share of hours", doc="following up, answering and referring")
    share_recruitment: float = param(0.1, 0.0, 1.0, unit="share of hours")
    share_curation: float = param(
        0.1, 0.0, 1.0, unit="share of hours", doc="curating and capturing knowledge"
    )
    event_hours_per_member: float = param(
        0.05, 0.0, 10.0, unit="hours/week per member", doc="demand of organizing activities"
    )
    brokering_hours_per_organization: float = param(
        0.25, 0.0, 10.0, unit="hours/week per organization with members", doc="demand of brokering"
    )
    qa_hours_per_member: float = param(
        0.03, 0.0, 10.0, unit="hours/week per member", doc="demand of follow-up"
    )
    recruiting_hours_per_practitioner: float = param(
        0.02, 0.0, 10.0, unit="hours/week per unaware practitioner", doc="demand of recruitment"
    )
    curation_hours_per_item: float = param(
        0.05, 0.0, 10.0, unit="hours/week per repertoire item", doc="demand of curation"
    )
    minimum_task_hours: float = param(
        1.0, 0.1, 100.0, unit="hours/week", doc="the least demand of any task, however small the community"
    )
    introductions_per_hour: float = param(0.5, 0.0, 20.0, unit="introductions/hour", source="guess")
    referrals_per_hour: float = param(1.0, 0.0, 50.0, unit="questions routed/hour", source="guess")
    recruits_per_hour: float = param(0.5, 0.0, 50.0, unit="people made aware/hour", source="guess")


@dataclass
class SponsorConfig:
    """The executive sponsor: sponsorship gives protected time, legitimacy, event resources and
    recognition, and the sponsor may endorse the practice itself (source article)."""

    level: float = param(0.6, 0.0, 1.0, unit="0-1", doc="protected time and budget")
    mandate: bool = param(False, doc="participation mandated (controlling style)")
    legitimacy: float = param(0.7, 0.0, 1.0, unit="0-1", doc="sponsor's standing")
    endorses: bool = param(
        True,
        doc="the sponsor endorses the practice itself, with or without a community (so the "
        "dissemination-only baseline gets the same endorsement)",
    )
    endorsement: float = param(1.0, 0.0, 10.0, unit="relative lift of p at full legitimacy and level")
    board: bool = param(False, doc="a sponsor board gives continuity", source="article")
    departure_week: int = param(-1, -1, 100_000, unit="week", doc="-1: sponsor never leaves")
    turnover_per_year: float = param(0.0, 0.0, 10.0, unit="per year")
    replacement_per_year: float = param(
        0.5, 0.0, 52.0, unit="per year", doc="hazard that a lost sponsor is replaced (no board)"
    )
    board_replacement_per_year: float = param(
        4.0, 0.0, 52.0, unit="per year", doc="hazard that a board finds a successor (guess: a quarter)"
    )
    board_retention: float = param(0.8, 0.0, 1.0, unit="share of level kept until a successor")
    protected_time_max: float = param(0.7, 0.0, 1.0, unit="share of time cost waived")
    resource_dependence: float = param(
        0.5,
        0.0,
        1.0,
        unit="share of activity",
        doc="share of organized activity that needs the sponsor's budget",
    )


@dataclass
class SupportTeamConfig:
    enabled: bool = param(False, source="article: support team")
    staff: float = param(2.0, 0.0, 100.0, unit="FTE")
    communities_served: int = param(5, 1, 1000, unit="communities")
    platform_quality: float = param(0.8, 0.0, 1.0, unit="0-1")
    coaching_rate: float = param(0.02, 0.0, 1.0, unit="per week per coaching FTE")
    coaching_ceiling: float = param(
        0.85, 0.0, 1.0, unit="0-1", doc="competence coaching can bring a coordinator to (guess)"
    )
    capture_support: float = param(
        0.5, 0.0, 1.0, unit="0-1", doc="how much the team adds to capturing leavers' knowledge (guess)"
    )


# --------------------------------------------------------------------------------------------
# Behaviour
# --------------------------------------------------------------------------------------------
@dataclass
class MotivationConfig:
    """How a mandate or a sponsor's recognition shifts members' intrinsic motivation, and what
    motivation changes: seeking contacts, sharing (ExchangeConfig) and applying the practice
    (AdoptionConfig). The source article: without voluntary participation a member is less
    likely to seek or share knowledge, build trust, or apply the community's knowledge."""

    crowding_out_sd: float = param(
        0.35, 0.0, 3.0, unit="SD of motivation", source="Deci, Koestner & Ryan 1999: d = -0.3 to -0.4"
    )
    recognition_sd: float = param(
        0.3, 0.0, 3.0, unit="SD of motivation", source="Deci, Koestner & Ryan 1999: verbal rewards d = +0.3"
    )
    seek_motivation: float = param(
        0.3, 0.0, 5.0, unit="log contact rate per SD", doc="motivated members seek more contacts (guess)"
    )


@dataclass
class ParticipationConfig:
    revision_rate: float = param(
        0.05, 0.0, 1.0, unit="per week", doc="share of practitioners reconsidering each week"
    )
    intercept: float = param(-1.0, -20.0, 20.0, unit="logit")
    w_learning: float = param(3.0, 0.0, 50.0, unit="logit per knowledge gap")
    w_belonging: float = param(2.0, 0.0, 50.0, unit="logit per belonging (0-1)")
    w_interest: float = param(1.0, 0.0, 50.0, unit="logit per SD of interest")
    w_legitimacy: float = param(1.5, 0.0, 50.0, unit="logit per legitimacy")
    w_vitality: float = param(2.0, 0.0, 50.0, unit="logit per vitality")
    time_cost: float = param(2.0, 0.0, 50.0, unit="logit")
    silo_cost: float = param(1.0, 0.0, 50.0, unit="logit per silo strength")
    belonging_memory: float = param(
        0.1,
        0.001,
        1.0,
        unit="per week",
        doc="share of recent community exchanges forgotten each week (guess)",
    )
    belonging_half: float = param(
        1.0,
        0.01,
        100.0,
        unit="recent exchanges",
        doc="recent exchanges that give half of full belonging (guess)",
    )
    hours_peripheral: float = param(
        0.25, 0.0, 40.0, unit="x channel hours", doc="a peripheral member's time, relative to an active one's"
    )
    hours_active: float = param(1.0, 0.0, 40.0, unit="x channel hours")
    hours_core: float = param(2.0, 0.0, 40.0, unit="x channel hours")
    active_cut: float = param(
        3.0,
        0.0,
        50.0,
        unit="logit",
        doc="ordered-logit cut to active",
        source="guess, chosen so that mature communities have 15-20 % active members "
        "(Wenger, McDermott & Snyder 2002; docs/VALIDATION.md)",
    )
    core_cut: float = param(
        4.3,
        0.0,
        50.0,
        unit="logit",
        doc="ordered-logit cut to core",
        source="guess, chosen so that mature communities have a 10-15 % core "
        "(Wenger, McDermott & Snyder 2002; docs/VALIDATION.md)",
    )


@dataclass
class ExchangeConfig:
    absorptive_capacity: float = param(
        0.1, 0.0, 1.0, unit="share of gap per exchange", source="Cowan & Jonard 2004 (alpha)"
    )
    contacts_peripheral: float = param(0.1, 0.0, 50.0, unit="contacts/week")
    contacts_active: float = param(0.6, 0.0, 50.0, unit="contacts/week")
    contacts_core: float = param(1.5, 0.0, 50.0, unit="contacts/week")
    revisit_share: float = param(
        0.5,
        0.0,
        1.0,
        unit="share of community contacts",
        doc="contacts that go back to a trusted tie rather than a stranger",
    )
    partner_active: float = param(
        3.0,
        0.0,
        100.0,
        unit="x a peripheral member",
        doc="how much more often active members are sought (guess)",
    )
    partner_core: float = param(
        6.0,
        0.0,
        100.0,
        unit="x a peripheral member",
        doc="how much more often core members are sought (guess)",
    )
    formal_contact_rate: float = param(0.3, 0.0, 1.0, unit="per week")
    share_intercept: float = param(0.0, -20.0, 20.0, unit="logit")
    share_motivation: float = param(1.0, 0.0, 20.0, unit="logit per SD")
    share_trust: float = param(2.0, 0.0, 20.0, unit="logit per trust")
    on_the_job_rate: float = param(
        0.003, 0.0, 1.0, unit="share of gap per full work week", doc="learning by doing the job"
    )
    base_ceiling: float = param(
        0.7, 0.0, 1.0, unit="knowledge", doc="what can be learned without the community's repertoire"
    )
    library_rate: float = param(0.01, 0.0, 1.0, unit="share of gap per week at full quality")
    initial_knowledge: float = param(0.35, 0.0, 1.0, unit="knowledge", doc="mean, at mid-career")
    initial_knowledge_sd: float = param(0.15, 0.0, 0.5, unit="knowledge")


@dataclass
class TrustConfig:
    initial_within: float = param(0.6, 0.0, 1.0, unit="trust")
    initial_cross: float = param(0.4, 0.0, 1.0, unit="trust", doc="times (1 - silo)")
    stranger: float = param(0.2, 0.0, 1.0, unit="trust", doc="trust in an untied member")
    baseline: float = param(0.2, 0.0, 1.0, unit="trust", doc="level idle ties decay toward")
    gain: float = param(0.1, 0.0, 1.0, unit="share of gap per reciprocated exchange")
    decay: float = param(0.01, 0.0, 1.0, unit="share of gap per idle week")


@dataclass
class PracticeConfig:
    build_rate: float = param(0.02, 0.0, 10.0, unit="items/week per diverse core member")
    half_repertoire: float = param(
        20.0, 0.1, 10_000.0, unit="items", doc="repertoire that lifts the knowledge ceiling halfway"
    )
    capture_rate: float = param(
        2.0,
        0.0,
        100.0,
        unit="items per leaving member at full knowledge and capture",
        doc="knowledge a leaving member leaves in the repertoire when the coordinator (and support "
        "team) capture it (guess)",
    )
    onboarding_rate: float = param(
        0.02,
        0.0,
        1.0,
        unit="share of gap per week",
        doc="how fast a hire in the first year learns from a full repertoire toward the member "
        "ceiling (guess)",
    )


@dataclass
class AdoptionConfig:
    initial_adopters: float = param(
        0.0, 0.0, 1.0, unit="share of adopting units", doc="units already using the practice at launch"
    )
    p: float = param(0.03, 0.0, 10.0, unit="per year", source="Bass 1969; Sultan et al. 1990")
    q: float = param(0.38, 0.0, 10.0, unit="per year", source="Bass 1969; Sultan et al. 1990")
    global_mixing: float = param(
        0.3, 0.0, 1.0, unit="share", doc="weight of the global adopted share in exposure"
    )
    exposure_half: float = param(
        2.0,
        0.0,
        1000.0,
        unit="trust-weighted ties",
        doc="trust on a unit's ties to adopting units at which its tie exposure is half the adopted "
        "share among them: exposure grows with the number and trust of ties (social reinforcement, "
        "Centola 2010; the value is a guess); 0: the adopted share alone (the ring's closed form)",
    )
    know_how_threshold: float = param(
        0.5, 0.0, 1.0, unit="knowledge", doc="a unit's readiness gate; 0 disables it"
    )
    know_how_width: float = param(0.05, 0.001, 1.0, unit="knowledge")
    apply_intercept: float = param(
        1.5, -20.0, 20.0, unit="logit", doc="willingness to apply the practice at average motivation (guess)"
    )
    apply_motivation: float = param(
        1.0, 0.0, 20.0, unit="logit per SD of motivation", doc="how motivation moves applying it (guess)"
    )
    productivity_cost: float = param(
        1.0,
        0.0,
        10.0,
        unit="share of implementation capacity per share of work time",
        doc="a unit's capacity to implement the practice falls with the work time its staff spend "
        "in the community (guess: hour for hour)",
    )
    community_ties_expose: bool = param(
        True, doc="community ties count in exposure (false: only formal ties; for attributing the gain)"
    )
    community_teaches: bool = param(
        True, doc="the community's meetings and library teach (false: for attributing the gain)"
    )


@dataclass
class DemographyConfig:
    retirement_per_year: float = param(
        0.033, 0.0, 5.0, unit="per year", source="guess: 30-year careers", doc="mean retirement hazard"
    )
    career_years: float = param(30.0, 1.0, 60.0, unit="years", doc="length of a career (guess)")
    experience_knowledge: float = param(
        0.3, 0.0, 1.0, unit="knowledge", doc="knowledge a full career adds over a new hire's (guess)"
    )
    retirement_experience: float = param(
        2.0,
        0.0,
        20.0,
        unit="log hazard per career",
        doc="how much faster the most experienced leave than the newest (guess: e^2 = 7x)",
    )
    tour_weeks: int = param(
        0, 0, 5200, unit="weeks", doc="a fixed tour: everyone leaves after this long (0: no tour)"
    )
    wave: bool = param(False, doc="a retirement wave", source="article: half retire by 2010")
    wave_share: float = param(0.5, 0.0, 0.99, unit="share of workforce", source="article")
    wave_start_week: int = param(52, 0, 100_000, unit="week")
    wave_years: float = param(7.0, 0.1, 100.0, unit="years")
    alumni_share: float = param(
        0.0,
        0.0,
        1.0,
        unit="share of departing members",
        source="article: CompanyCommand alumni (share: guess)",
    )
    alumni_leave_per_year: float = param(0.2, 0.0, 52.0, unit="per year")
    hire_knowledge: float = param(0.1, 0.0, 1.0, unit="knowledge", doc="mean knowledge of a new hire")
    hire_knowledge_sd: float = param(0.05, 0.0, 0.5, unit="knowledge", doc="its spread (Beta)")
    competence_threshold: float = param(
        0.6, 0.0, 1.0, unit="knowledge", doc="knowledge at which a hire counts as competent"
    )


@dataclass
class CopConfig:
    """Everything one run of the model needs. Keys are those users override on the CLI."""

    scenario: str = param("rumble_strips", doc="name of the scenario file the run started from")
    seed: int = param(0, 0, 2**32 - 1, doc="root seed of the run")
    horizon_weeks: int = param(520, 1, 100_000, unit="weeks")
    world: WorldConfig = group(WorldConfig)
    community: CommunityConfig = group(CommunityConfig)
    coordinator: CoordinatorConfig = group(CoordinatorConfig)
    sponsor: SponsorConfig = group(SponsorConfig)
    support_team: SupportTeamConfig = group(SupportTeamConfig)
    motivation: MotivationConfig = group(MotivationConfig)
    participation: ParticipationConfig = group(ParticipationConfig)
    exchange: ExchangeConfig = group(ExchangeConfig)
    trust: TrustConfig = group(TrustConfig)
    practice: PracticeConfig = group(PracticeConfig)
    adoption: AdoptionConfig = group(AdoptionConfig)
    demography: DemographyConfig = group(DemographyConfig)


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------
def _check_field(key: str, value: Any, meta: dict[str, Any]) -> None:
    choices = meta.get("choices")
    if choices is not None and value not in choices:
        raise ConfigError(f"{key}: {value!r} is not allowed; choose one of {', '.join(choices)}")
    lo, hi = meta.get("lo"), meta.get("hi")
    if isinstance(value, bool) or lo is None:
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{key}: {value!r} is not allowed; must be a finite number")
    if not lo <= value <= hi:
        raise ConfigError(f"{key}: {value!r} is out of range; allowed {lo} to {hi}")


def _validate_node(node: Any, prefix: str) -> None:
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            _validate_node(value, key + ".")
        elif isinstance(value, dict):
            for name, item in value.items():
                _validate_node(item, f"{key}.{name}.")
        else:
            _check_field(key, value, dict(f.metadata))


def validate(config: CopConfig) -> CopConfig:
    """Check every range and every rule that spans keys; raise ConfigError on the first breach."""
    _validate_node(config, "")
    coord = config.coordinator
    shares = (
        coord.share_activities,
        coord.share_brokering,
        coord.share_qa,
        coord.share_recruitment,
        coord.share_curation,
    )
    if abs(sum(shares) - 1.0) > 1e-6:
        raise ConfigError(f"coordinator.share_*: shares sum to {sum(shares):g}; they must sum to 1")
    world = config.world
    if not world.org_types:
        raise ConfigError("world.org_types: empty; at least one organization type is needed")
    type_shares = sum(t.share for t in world.org_types.values())
    if abs(type_shares - 1.0) > 1e-6:
        raise ConfigError(
            f"world.org_types.*.share: shares sum to {type_shares:g}; they must sum to 1 "
            f"({', '.join(f'{name}={t.share:g}' for name, t in world.org_types.items())})"
        )
    if not any(t.adopting for t in world.org_types.values()):
        raise ConfigError("world.org_types.*.adopting: none is true; one type must adopt")
    if world.n_practitioners < world.n_organizations:
        raise ConfigError(
            f"world.n_practitioners: {world.n_practitioners} is out of range; "
            f"allowed at least world.n_organizations ({world.n_organizations})"
        )
    if world.topology == "ring" and world.n_practitioners != world.n_organizations:
        raise ConfigError(
            "world.topology: 'ring' needs one practitioner per organization; "
            "set world.n_practitioners equal to world.n_organizations"
        )
    if world.topology in ("ring", "watts_strogatz") and world.ring_neighbours >= world.n_practitioners:
        raise ConfigError(
            f"world.ring_neighbours: {world.ring_neighbours} is out of range; "
            f"allowed below world.n_practitioners ({world.n_practitioners})"
        )
    return config


# --------------------------------------------------------------------------------------------
# Loading: scenario file + dotted overrides -> validated CopConfig
# --------------------------------------------------------------------------------------------
def conf_dir() -> Path:
    """The Hydra config tree: shipped inside the package, or the repository's ``conf/``."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "conf"
    return packaged if packaged.is_dir() else package.parents[1] / "conf"


def scenario_names() -> list[str]:
    """Names of the scenarios in ``conf/scenario/``."""
    return sorted(p.stem for p in (conf_dir() / "scenario").glob("*.yaml"))


_LOCK = threading.Lock()


_TYPE_WORDS = {"Integer": "a whole number", "Float": "a number", "String": "text"}
_CONVERSION = re.compile(r"Value '(.*)' of type '.*' could not be converted to (\w+)")
_NOT_BOOL = re.compile(r"Value '(.*)' is not a valid bool")


def _explain(exc: OmegaConfBaseException) -> str:
    """One line from an OmegaConf error: the full key, the value, and what is allowed."""
    key = getattr(exc, "full_key", "") or "config"
    msg = str(exc).splitlines()[0]
    if "Key '" in msg and "not in" in msg:
        return f"{key}: unknown key; allowed keys are listed in docs/ODD.md"
    if match := _CONVERSION.match(msg):
        expected = _TYPE_WORDS.get(match.group(2), match.group(2))
        return f"{key}: {match.group(1)!r} is not allowed; expected {expected}"
    if match := _NOT_BOOL.match(msg):
        return f"{key}: {match.group(1)!r} is not allowed; expected true or false"
    if "is not a subclass of" in msg:
        return f"{key}: is a group of keys; set its keys (e.g. {key}.KEY=VALUE), not the group itself"
    return f"{key}: {msg}"


def from_container(cfg: DictConfig | dict[str, Any]) -> CopConfig:
    """Turn a composed (Hydra or OmegaConf) config into a validated :class:`CopConfig`.

    Keys the model does not know (for example run options such as ``replicates``) are ignored
    here; unknown keys inside model groups are errors.
    """
    try:
        schema = OmegaConf.structured(CopConfig)
        model_keys = {f.name for f in dataclasses.fields(CopConfig)}
        data = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else cfg
        merged = OmegaConf.merge(schema, {k: v for k, v in data.items() if k in model_keys})
        config = OmegaConf.to_object(merged)
    except OmegaConfBaseException as exc:
        raise ConfigError(_explain(exc)) from None
    return validate(config)


#: environment variable naming the directory of a user's own scenarios
USER_SCENARIOS_ENV = "COPSIM_SCENARIOS"


def user_scenario_dir() -> Path:
    """Where a user's own scenario files live: ``$COPSIM_SCENARIOS``, else ``~/.config/copsim/scenarios``
    (never inside the installed package)."""
    configured = os.environ.get(USER_SCENARIOS_ENV, "").strip()
    return Path(configured).expanduser() if configured else Path.home() / ".config" / "copsim" / "scenarios"


def scenario_file(scenario: str) -> tuple[Path, str]:
    """The file of ``scenario`` and the name the run records: a built-in scenario's name, a path to
    a scenario file (``.yaml``), or the name of a file in :func:`user_scenario_dir`. Built-in
    names come first. ConfigError with one line when none matches."""
    if scenario.endswith((".yaml", ".yml")) or "/" in scenario or os.sep in scenario:
        path = Path(scenario).expanduser()
        if not path.is_file():
            raise ConfigError(f"scenario: {scenario!r} is not a file; give a scenario YAML file or a name")
        return path, path.stem
    if scenario in scenario_names():
        return conf_dir() / "scenario" / f"{scenario}.yaml", scenario
    user = user_scenario_dir() / f"{scenario}.yaml"
    if re.fullmatch(r"[A-Za-z0-9_.-]+", scenario) and user.is_file():
        return user, scenario
    folder = user_scenario_dir()
    mine = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
    known = ", ".join(scenario_names() + mine)
    raise ConfigError(f"scenario: {scenario!r} is unknown; choose one of {known}, or a scenario file's path")


def load_config(scenario: str = "rumble_strips", overrides: list[str] | tuple[str, ...] = ()) -> CopConfig:
    """Load a scenario and apply Hydra-style dotted overrides.

    ``scenario`` is a built-in scenario (``conf/scenario/``), a path to a scenario file, or the
    name of a file in the user's scenario directory (:func:`user_scenario_dir`); see
    :func:`scenario_file`.

    >>> cfg = load_config("bass", ["world.n_organizations=500", "adoption.q=0.5"])

    Raises :class:`ConfigError` naming the key or scenario, the value and what is allowed.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    path, name = scenario_file(scenario)
    with _LOCK:
        try:
            parsed = OverridesParser.create().parse_overrides(list(overrides))
        except HydraException as exc:
            raise ConfigError(f"overrides: {str(exc).splitlines()[0]}") from None
    try:
        try:
            text = OmegaConf.load(path)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            reason = type(exc).__name__
            raise ConfigError(f"scenario: {str(path)!r} cannot be read as YAML ({reason})") from None
        if not isinstance(text, DictConfig):
            raise ConfigError(f"scenario: {str(path)!r} is not a scenario file (a mapping of keys expected)")
        cfg = OmegaConf.merge(OmegaConf.structured(CopConfig), text)
        cfg.scenario = name
        for ov in parsed:
            key = ov.key_or_group
            if ov.is_sweep_override():
                raise ConfigError(f"{key}: {ov.input_line!r} is a sweep; load_config takes one value")
            if key == "scenario":
                raise ConfigError("scenario: pass the scenario as the first argument, not an override")
            if OmegaConf.select(cfg, key, default=_MISSING) is _MISSING and not ov.is_add():
                raise ConfigError(f"{key}: unknown key; allowed keys are listed in docs/ODD.md")
            if ov.is_delete():
                _delete(cfg, key)
            elif isinstance(ov.value(), dict):  # a whole group, e.g. a new organization type
                cfg = OmegaConf.merge(cfg, _nested(key, ov.value()))
            else:
                OmegaConf.update(cfg, key, ov.value(), merge=True)
        return from_container(cfg)
    except OmegaConfBaseException as exc:
        raise ConfigError(_explain(exc)) from None


_MISSING = object()


def with_values(config: CopConfig, values: dict[str, Any]) -> CopConfig:
    """``config`` with the dotted keys in ``values`` set (e.g. ``{"coordinator.fte": 0.5}``),
    validated; :class:`ConfigError` names an unknown key or a bad value."""
    try:
        cfg = OmegaConf.structured(config)
        for key, value in values.items():
            if OmegaConf.select(cfg, key, default=_MISSING) is _MISSING:
                raise ConfigError(f"{key}: unknown key; allowed keys are listed in docs/ODD.md")
            OmegaConf.update(cfg, key, value, merge=True)
        return from_container(cfg)
    except OmegaConfBaseException as exc:
        raise ConfigError(_explain(exc)) from None


def _nested(key: str, value: dict) -> dict:
    """``{"a": {"b": value}}`` for the dotted key ``a.b``."""
    for part in reversed(key.split(".")):
        value = {part: value}
    return value


def _delete(cfg: DictConfig, key: str) -> None:
    """Hydra's ``~key``: remove an entry of a dictionary group (e.g. an organization type)."""
    parent_key, _, name = key.rpartition(".")
    parent = OmegaConf.select(cfg, parent_key) if parent_key else cfg
    if not isinstance(parent, DictConfig) or dataclasses.is_dataclass(OmegaConf.get_type(parent)):
        raise ConfigError(f"{key}: cannot be removed; only entries such as world.org_types.NAME can")
    del parent[name]


def describe_parameters() -> list[dict[str, Any]]:
    """Every parameter with its key, default, range, unit, source and meaning (for docs and UIs)."""
    rows: list[dict[str, Any]] = []

    def walk(cls: type, prefix: str) -> None:
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            if dataclasses.is_dataclass(hints[f.name]):
                walk(hints[f.name], f"{prefix}{f.name}.")
            elif f.name == "org_types":
                walk(OrgType, f"{prefix}org_types.NAME.")
            else:
                rows.append({"key": f"{prefix}{f.name}", "default": f.default, **f.metadata})

    walk(CopConfig, "")
    return rows


def register_configs(schema: type = CopConfig, name: str = "copsim_schema") -> None:
    """Register the schema with Hydra's ConfigStore so ``conf/config.yaml`` can extend it."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name=name, node=schema)

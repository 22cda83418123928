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

import contextlib
import dataclasses
import difflib
import functools
import math
import numbers
import os
import re
import threading
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
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
#: what each field type accepts, in the words of an error message
_KIND_WORDS = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _kind(hint: Any) -> tuple[Any, bool]:
    """A field's type without ``None``, and whether ``None`` is allowed (``str | None``)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        return next(a for a in args if a is not type(None)), type(None) in args
    return hint, False


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool | np.bool_)


def _has_type(value: Any, kind: Any) -> bool:
    """True when ``value`` already is a value of the scalar type ``kind`` (no conversion)."""
    if type(value) is kind or (kind is float and type(value) is int):  # the common case, quickly
        return True
    if kind is bool:
        return _is_bool(value)
    if kind is int:
        return isinstance(value, numbers.Integral) and not _is_bool(value)
    if kind is float:
        return isinstance(value, numbers.Real) and not _is_bool(value)
    if kind is str:
        return isinstance(value, str)
    return True


def _is_interpolation(value: Any) -> bool:
    """An OmegaConf interpolation such as ``${world.n_organizations}``, typed once resolved."""
    return isinstance(value, str) and "${" in value


def _group_error(key: str) -> ConfigError:
    return ConfigError(
        f"{key}: is a group of keys; set its keys (e.g. {key}.KEY=VALUE), not the group itself"
    )


def coerce(key: str, value: Any, hint: Any) -> Any:
    """``value`` as a value of the field type ``hint``, strictly; else ConfigError naming ``key``.

    Booleans are ``true`` or ``false`` only (never 1, 2 or ``yes``); whole numbers are integers or
    integral floats (``2.0`` is 2, ``2.5`` is refused); numbers are integers or floats (never text
    or booleans), and ``-0.0`` becomes ``0.0``; text is text. A group must be a mapping of its own
    keys. Ranges and choices are :func:`validate`'s.
    """
    kind, optional = _kind(hint)
    if (value is None and optional) or _is_interpolation(value):
        return value
    if dataclasses.is_dataclass(kind):
        if not isinstance(value, Mapping):
            raise _group_error(key)
        return coerce_group(value, kind, f"{key}.")
    origin = typing.get_origin(kind)
    if origin is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{key}: {value!r} is not allowed; expected a mapping of NAME: {{KEY: VALUE}}")
        item = typing.get_args(kind)[1]
        return {str(name): coerce(f"{key}.{name}", entry, item) for name, entry in value.items()}
    if origin is list:
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{key}: {value!r} is not allowed; expected a list")
        item = typing.get_args(kind)[0]
        return [coerce(f"{key}[{i}]", entry, item) for i, entry in enumerate(value)]
    if kind is float and _has_type(value, float):
        with contextlib.suppress(OverflowError):
            return float(value) + 0.0  # + 0.0 turns -0.0 into 0.0
    elif kind is int and isinstance(value, numbers.Real) and not _is_bool(value):
        if isinstance(value, numbers.Integral):
            return int(value)
        if math.isfinite(value) and float(value).is_integer():
            return int(value)
    elif _has_type(value, kind) and kind in _KIND_WORDS:
        return bool(value) if kind is bool else value
    elif kind is Any:
        return value
    raise ConfigError(f"{key}: {value!r} is not allowed; expected {_KIND_WORDS.get(kind, kind)}")


def coerce_group(data: Mapping[str, Any], cls: type, prefix: str = "") -> dict[str, Any]:
    """A mapping of a group's keys (e.g. a scenario file) with every value :func:`coerce`-d."""
    hints = _hints(cls)
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name not in hints:
            raise unknown_key(f"{prefix}{name}", cls if not prefix else None)
        out[name] = coerce(f"{prefix}{name}", value, hints[name])
    return out


def schema_keys(cls: type | None = None) -> list[str]:
    """Every dotted key of a schema (organization types as ``world.org_types.NAME.KEY``)."""
    cls = CopConfig if cls is None else cls
    keys: list[str] = []

    def walk(node: type, prefix: str) -> None:
        for name, hint in _hints(node).items():
            kind, _ = _kind(hint)
            if dataclasses.is_dataclass(kind):
                walk(kind, f"{prefix}{name}.")
            elif typing.get_origin(kind) is dict:
                walk(typing.get_args(kind)[1], f"{prefix}{name}.NAME.")
            else:
                keys.append(f"{prefix}{name}")

    walk(cls, "")
    return keys


def unknown_key(key: str, schema: type | None = None) -> ConfigError:
    """The one-line error for a key the schema does not have, with the closest key if any."""
    parts = key.split(".")
    probe = key
    if key.startswith("world.org_types.") and len(parts) >= 3 and parts[2] != "NAME":
        types = set(schema_keys(schema))
        if len(parts) == 3 or ".".join([*parts[:2], "NAME", *parts[3:]]) in types:
            name = ".".join(parts[:3])
            return ConfigError(
                f"{name}: no such organization type in this scenario; add one with "
                f"+{name}={{share: ..., sector: ..., level: ..., adopting: ...}}"
            )
    if key.startswith("world.org_types.") and len(parts) > 3:
        probe = ".".join([*parts[:2], "NAME", *parts[3:]])
    close = difflib.get_close_matches(probe, schema_keys(schema), n=1, cutoff=0.75)
    if close and len(parts) > 3 and probe != key:
        close = [close[0].replace(".NAME.", f".{parts[2]}.")]
    hint = f"did you mean {close[0]}?" if close else "copsim-run --cfg job lists every key"
    return ConfigError(f"{key}: unknown key; {hint}")


def already_there(key: str) -> ConfigError:
    """Hydra's ``+key=value`` adds a key; for one that is there, say how to change it."""
    return ConfigError(f"{key}: already there; write {key}=VALUE to change it (+ adds a key that is not)")


def hint_of(key: str, schema: type | None = None) -> Any:
    """The type of the dotted ``key`` in the schema (``None`` when there is no such key)."""
    node: Any = CopConfig if schema is None else schema
    for part in key.split("."):
        kind, _ = _kind(node)
        if dataclasses.is_dataclass(kind):
            node = _hints(kind).get(part)
        elif typing.get_origin(kind) is dict:
            node = typing.get_args(kind)[1]
        else:
            return None
        if node is None:
            return None
    return node


def _check_field(key: str, value: Any, meta: dict[str, Any]) -> None:
    choices = meta.get("choices")
    if choices is not None and value not in choices:
        raise ConfigError(f"{key}: {value!r} is not allowed; choose one of {', '.join(choices)}")
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is None or _is_bool(value):
        return
    if not lo <= value <= hi:  # NaN fails this too
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{key}: {value!r} is not allowed; must be a finite number")
        raise ConfigError(f"{key}: {value!r} is out of range; allowed {lo} to {hi}")


@functools.cache
def _field_plan(cls: type) -> tuple[tuple[str, str, Any, bool, dict[str, Any]], ...]:
    """Per field of ``cls``: name, what it is (group, mapping or scalar), type, None allowed, metadata."""
    plan = []
    for f in dataclasses.fields(cls):
        hint = _hints(cls)[f.name]
        kind, optional = _kind(hint)
        if dataclasses.is_dataclass(kind):
            plan.append((f.name, "group", kind, optional, {}))
        elif typing.get_origin(kind) is dict:
            plan.append((f.name, "mapping", typing.get_args(kind)[1], optional, {}))
        else:
            plan.append((f.name, "scalar", kind, optional, dict(f.metadata)))
    return tuple(plan)


@functools.cache
def _scalar_hint(cls: type, name: str) -> Any:
    """The type of field ``name`` of ``cls`` when it is a scalar (else None: a group, a mapping)."""
    hint = typing.get_type_hints(cls).get(name)
    if hint is None or dataclasses.is_dataclass(hint) or typing.get_origin(hint) is dict:
        return None
    return hint


def with_value(config: CopConfig, key: str, value: Any) -> CopConfig | None:
    """A copy of ``config`` with the dotted scalar ``key`` set to ``value`` (strictly typed),
    sharing every group it does not change; None if that cannot be done simply (a group, a new
    organization type)."""
    *parents, last = key.split(".")
    nodes: list[Any] = [config]
    for part in parents:
        node = nodes[-1]
        child = node.get(part) if isinstance(node, dict) else getattr(node, part, None)
        if child is None or not (dataclasses.is_dataclass(child) or isinstance(child, dict)):
            return None
        nodes.append(child)
    leaf = nodes[-1]
    hint = _scalar_hint(type(leaf), last) if dataclasses.is_dataclass(leaf) else None
    if hint is None:
        return None
    new = dataclasses.replace(leaf, **{last: coerce(key, value, hint)})
    for parent, part in zip(reversed(nodes[:-1]), reversed(parents), strict=True):
        new = (
            {**parent, part: new} if isinstance(parent, dict) else dataclasses.replace(parent, **{part: new})
        )
    return new


def validate_fields(values: Mapping[str, Any], cls: type, prefix: str = "") -> None:
    """The range and choice checks of some fields of ``cls``, given as a mapping of name to value
    (errors name the key as ``prefix`` + name)."""
    meta = {f.name: dict(f.metadata) for f in dataclasses.fields(cls)}
    for name, value in values.items():
        if value is not None:
            _check_field(f"{prefix}{name}", value, meta.get(name, {}))


def _validate_node(node: Any, prefix: str) -> None:
    for name, what, kind, optional, meta in _field_plan(type(node)):
        value, key = getattr(node, name), f"{prefix}{name}"
        if what == "group":
            if not isinstance(value, kind):
                raise _group_error(key)
            _validate_node(value, key + ".")
        elif what == "mapping":
            if not isinstance(value, dict):
                raise ConfigError(
                    f"{key}: {value!r} is not allowed; expected a mapping of NAME: {kind.__name__}"
                )
            for entry_name, entry in value.items():
                if not isinstance(entry_name, str) or not isinstance(entry, kind):
                    raise ConfigError(
                        f"{key}.{entry_name}: {entry!r} is not allowed; expected a {kind.__name__}"
                    )
                _validate_node(entry, f"{key}.{entry_name}.")
        else:
            if not (value is None and optional) and not _has_type(value, kind):
                raise ConfigError(f"{key}: {value!r} is not allowed; expected {_KIND_WORDS.get(kind, kind)}")
            _check_field(key, value, meta)


def validate(config: CopConfig) -> CopConfig:
    """Check every type, range and rule that spans keys; raise ConfigError on the first breach.

    The same gate for every path into the model (``copsim-run``, :func:`load_config`, and a
    config changed with :func:`dataclasses.replace`): a boolean must be a boolean (not
    ``"false"`` or 0.7), a whole number an integer, a number not a boolean.
    """
    if not isinstance(config, CopConfig):
        raise ConfigError(f"config: {type(config).__name__} is not allowed; expected a CopConfig")
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
#: environment variables naming the user's own config directory and scenario folder
CONFIG_DIR_ENV = "COPSIM_CONFIG_DIR"
USER_SCENARIOS_ENV = "COPSIM_SCENARIOS"


def conf_dir() -> Path:
    """The Hydra config tree: shipped inside the package, or the repository's ``conf/``."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "conf"
    return packaged if packaged.is_dir() else package.parents[1] / "conf"


def user_config_dir() -> Path:
    """The user's own copsim folder: ``$COPSIM_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/copsim``, else
    ``~/.config/copsim`` (never inside the installed package). It holds ``scenarios/`` and
    ``experiments/``."""
    if os.environ.get(CONFIG_DIR_ENV, "").strip():
        return Path(os.environ[CONFIG_DIR_ENV].strip()).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME", "").strip() or Path.home() / ".config"
    return Path(base).expanduser() / "copsim"


def user_scenario_dir() -> Path:
    """Where a user's own scenario files live: ``$COPSIM_SCENARIOS``, else ``scenarios/`` of
    :func:`user_config_dir` (``~/.config/copsim/scenarios``)."""
    configured = os.environ.get(USER_SCENARIOS_ENV, "").strip()
    return Path(configured).expanduser() if configured else user_config_dir() / "scenarios"


def user_experiment_dir() -> Path:
    """Where a user's own experiment files live: ``experiments/`` of :func:`user_config_dir`."""
    return user_config_dir() / "experiments"


#: a config group's folder in a Hydra config tree, and the user's own folder of the same files
GROUP_FOLDERS = {"scenario": user_scenario_dir, "experiment": user_experiment_dir}


def group_folders(group: str, config_dirs: typing.Iterable[str | Path] = ()) -> list[Path]:
    """The folders a ``scenario`` or ``experiment`` name is looked up in, first match wins (Hydra's
    order): the packaged tree's, the user's own (:func:`user_scenario_dir`,
    :func:`user_experiment_dir`), then each of ``config_dirs``' (trees as ``--config-dir`` gives)."""
    return [
        conf_dir() / group,
        GROUP_FOLDERS[group](),
        *(Path(d).expanduser().absolute() / group for d in config_dirs),
    ]


def is_path(value: str) -> bool:
    """True when a scenario (or experiment) is given as a file rather than by name."""
    return value.endswith((".yaml", ".yml")) or "/" in value or os.sep in value


def group_names(group: str, config_dirs: typing.Iterable[str | Path] = ()) -> list[str]:
    """Names of the scenarios (or experiments) in every folder of :func:`group_folders`."""
    return sorted({p.stem for folder in group_folders(group, config_dirs) for p in folder.glob("*.yaml")})


def builtin_scenario_names() -> list[str]:
    """Names of the scenarios that ship with copsim (``conf/scenario/``)."""
    return sorted(p.stem for p in (conf_dir() / "scenario").glob("*.yaml"))


def scenario_names(config_dirs: typing.Iterable[str | Path] = ()) -> list[str]:
    """Names of the scenarios: packaged, the user's own, and those of ``config_dirs``."""
    return group_names("scenario", config_dirs)


def scenario_file(scenario: str, config_dirs: typing.Iterable[str | Path] = ()) -> tuple[Path, str]:
    """The file of ``scenario`` and the name the run records: a name (first match in
    :func:`group_folders`: packaged names come first) or the path of a scenario file."""
    if not isinstance(scenario, str) or not scenario:
        raise ConfigError(f"scenario: {scenario!r} is not allowed; give a scenario name or a YAML file")
    if is_path(scenario):
        path = Path(scenario).expanduser()
        if not path.is_file():
            raise ConfigError(f"scenario: {scenario!r} is not a file; give a scenario YAML file or a name")
        return path, path.stem
    for folder in group_folders("scenario", config_dirs):
        path = folder / f"{scenario}.yaml"
        if path.is_file():
            return path, scenario
    names = scenario_names(config_dirs)
    raise ConfigError(
        f"scenario: {scenario!r} is unknown; choose one of {', '.join(names)}, or a file's path"
    )


def read_scenario(path: Path) -> dict[str, Any]:
    """A scenario file's keys, strictly typed (:func:`coerce_group`); ConfigError names the file."""
    try:
        data = OmegaConf.to_container(OmegaConf.load(path), resolve=False)
    except (OSError, UnicodeDecodeError, OmegaConfBaseException, yaml.YAMLError) as exc:
        raise ConfigError(f"scenario: {str(path)!r} cannot be read as YAML ({type(exc).__name__})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"scenario: {str(path)!r} is not a scenario file (a mapping of keys expected)")
    try:
        return coerce_group(data, CopConfig)
    except ConfigError as exc:
        raise ConfigError(f"{exc} (in {path})") from None


_LOCK = threading.Lock()


_TYPE_WORDS = {"Integer": "a whole number", "Float": "a number", "String": "text"}
_CONVERSION = re.compile(r"Value '(.*)' of type '.*' could not be converted to (\w+)")
_NOT_BOOL = re.compile(r"Value '(.*)' is not a valid bool")


def _explain(exc: OmegaConfBaseException) -> str:
    """One line from an OmegaConf error: the full key, the value, and what is allowed."""
    key = getattr(exc, "full_key", "") or "config"
    msg = str(exc).splitlines()[0]
    if "Key '" in msg and "not in" in msg:
        return str(unknown_key(key))
    if match := _CONVERSION.match(msg):
        expected = _TYPE_WORDS.get(match.group(2), match.group(2))
        return f"{key}: {match.group(1)!r} is not allowed; expected {expected}"
    if match := _NOT_BOOL.match(msg):
        return f"{key}: {match.group(1)!r} is not allowed; expected true or false"
    if "is not a subclass of" in msg:
        return str(_group_error(key))
    return f"{key}: {msg}"


def from_container(cfg: DictConfig | Mapping[str, Any]) -> CopConfig:
    """Turn a composed (Hydra or OmegaConf) config or a plain mapping into a validated :class:`CopConfig`.

    Keys the model does not know (for example run options such as ``replicates``) are ignored
    here; unknown keys inside model groups are errors. Values are typed strictly
    (:func:`coerce`).
    """
    try:
        data = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else dict(cfg)
        model_keys = {f.name for f in dataclasses.fields(CopConfig)}
        typed = coerce_group({k: v for k, v in data.items() if k in model_keys}, CopConfig)
        config = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(CopConfig), typed))
    except OmegaConfBaseException as exc:
        raise ConfigError(_explain(exc)) from None
    return validate(config)


def parse_overrides(overrides: typing.Iterable[str]) -> list[Any]:
    """Hydra's parse of ``key=value`` overrides, one at a time so an error names its key."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    parsed = []
    with _LOCK:
        parser = OverridesParser.create()
        for text in overrides:
            if not isinstance(text, str):
                raise ConfigError(f"overrides: {text!r} is not allowed; write each as 'key=value' text")
            try:
                parsed.extend(parser.parse_overrides([text]))
            except HydraException:
                key, eq, value = text.partition("=")
                if not eq:
                    what = "write ~key to remove an entry" if text.startswith("~") else "write key=value"
                    raise ConfigError(f"{text.lstrip('+~')}: not an override; {what}") from None
                if not key.lstrip("+~"):
                    raise ConfigError(f"overrides: {text!r} has no key; write key=value") from None
                raise ConfigError(
                    f"{key.lstrip('+~')}: {value!r} cannot be read; write numbers with the digits 0-9, "
                    "true or false, or text (quoted if it has spaces or commas)"
                ) from None
    return parsed


def load_config(
    scenario: str = "rumble_strips",
    overrides: list[str] | tuple[str, ...] = (),
    config_dirs: typing.Iterable[str | Path] = (),
) -> CopConfig:
    """Load a scenario and apply Hydra-style dotted overrides.

    >>> cfg = load_config("bass", ["world.n_organizations=500", "adoption.q=0.5"])

    ``scenario`` is a name (looked up in :func:`group_folders`: the packaged scenarios, the
    user's own in :func:`user_scenario_dir`, then the ``scenario/`` folder of each of
    ``config_dirs``) or the path of a scenario YAML file. Raises :class:`ConfigError` naming the
    key or scenario, the value and what is allowed.
    """
    path, name = scenario_file(scenario, config_dirs)
    parsed = parse_overrides(overrides)
    try:
        cfg = OmegaConf.merge(OmegaConf.structured(CopConfig), read_scenario(path))
        cfg.scenario = name
        for ov in parsed:
            key = ov.key_or_group
            if ov.is_sweep_override():
                raise ConfigError(f"{key}: {ov.input_line!r} is a sweep; load_config takes one value")
            if key == "scenario":
                raise ConfigError("scenario: pass the scenario as the first argument, not an override")
            hint = hint_of(key)
            exists = OmegaConf.select(cfg, key, default=_MISSING) is not _MISSING
            if hint is None or not (exists or ov.is_add()):
                raise unknown_key(key)
            if exists and ov.is_add() and not ov.is_force_add():
                raise already_there(key)
            if ov.is_delete():
                _delete(cfg, key)
                continue
            value = coerce(key, ov.value(), hint)
            if isinstance(value, dict):  # a whole group, e.g. a new organization type
                cfg = OmegaConf.merge(cfg, _nested(key, value))
            else:
                OmegaConf.update(cfg, key, value, merge=True)
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
            hint = hint_of(key)
            if hint is None or OmegaConf.select(cfg, key, default=_MISSING) is _MISSING:
                raise unknown_key(key)
            OmegaConf.update(cfg, key, coerce(key, value, hint), merge=True)
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

"""CopModel: the weekly process of a community-of-practice initiative (docs/ODD.md).

The model owns the state: practitioners' arrays (:class:`copsim.model.people.People`), the ties
(:class:`copsim.model.ties.Ties`), and one value per replicate of everything that belongs to a
community (vitality, sponsorship, coordinator competence, repertoire, the alumni pool, adoption).
Each week runs the phases in :attr:`CopModel.PHASES`, in order; a phase draws this week's random
numbers from the named streams, calls the rules in :mod:`copsim.model.mechanisms` and stores
what they return. Nothing else happens here: no rule arithmetic, no Hydra, files or plots.

A model may hold several replicates of one condition side by side (``seeds``, one per
replicate; :mod:`copsim.model.replicates`): :func:`copsim.simulate_ensemble` steps them together,
and replicate *r* gives the same numbers as a model of its seed alone.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import mesa
import numpy as np
import pandas as pd

from .agents import Coordinator, Practitioner, Sponsor, SupportTeam
from .config import CopConfig, load_config, with_values
from .mechanisms import (
    adoption,
    coordination,
    demography,
    exchange,
    interaction,
    lifecycle,
    participation,
    practice,
    sponsorship,
    support,
    trust,
)
from .outcomes import COLUMNS, census, series_frame, summarize, top_share, weekly_values
from .people import People
from .replicates import total_by
from .streams import Streams
from .ties import Ties
from .world import build_world, side_by_side

#: weeks a hire must have had before the end of the run to count in time-to-talent
TIME_TO_TALENT_WINDOW = 104
#: weeks a hire reads the community's repertoire as a newcomer (onboarding)
ONBOARDING_WEEKS = 52


class CopModel(mesa.Model):
    """An agent-based model of one community-of-practice initiative and the diffusion it drives.

    Build it from a validated config, or the Mesa way, from keyword parameters (what
    ``mesa.batch_run`` passes): ``CopModel(scenario="safecities", rng=7, **{"coordinator.fte":
    0.5})``, where every other keyword is a dotted config key.

    Args:
        config: a validated :class:`copsim.model.config.CopConfig`; default: ``scenario``'s.
        seeds: root seed of each replicate to step side by side (default: one, ``rng`` if given,
            else ``config.seed``).
        rng: the seed of a single run (Mesa's keyword); overrides ``config.seed``.
        scenario: the scenario to load when no ``config`` is given.
        time_phases: accumulate wall-clock seconds per phase in ``phase_seconds`` (benchmarks).
        **values: dotted config keys and their values, e.g. ``**{"sponsor.mandate": True}``.
    """

    PHASES = (
        "demography",
        "sponsors",
        "support_team",
        "coordinators",
        "participation",
        "exchange",
        "practice",
        "adoption",
    )

    def __init__(
        self,
        config: CopConfig | None = None,
        *,
        seeds: Sequence[int] | None = None,
        rng: int | None = None,
        scenario: str = "rumble_strips",
        time_phases: bool = False,
        **values: Any,
    ) -> None:
        if config is None:
            config = load_config(scenario)
        if values:
            config = with_values(config, values)
        if rng is not None:
            config = with_values(config, {"seed": int(rng)})
        seeds = [config.seed] if seeds is None else [int(s) for s in seeds]
        super().__init__(rng=seeds[0])
        self.config = config
        self.enabled = config.community.enabled
        self.streams = Streams(seeds)
        self._build_world()
        self.people = People.initial(
            config, self.world.practitioner_org, self.layout.person_rep, self.streams
        )
        self._start_community()
        self._create_agents()
        self.phase_seconds = dict.fromkeys(self.PHASES, 0.0) if time_phases else None
        self._table: tuple[int, dict[str, np.ndarray]] | None = None  # see _weekly_table
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda model, name=name: model.current(name)) for name in COLUMNS}
        )
        self._observe()

    # ------------------------------------------------------------------ construction
    def _build_world(self) -> None:
        generators = self.streams.world.generators
        self.world, self.layout = side_by_side([build_world(self.config, g) for g in generators])
        w = self.world
        self.ties = Ties(w.practitioner_org, w.tie_a, w.tie_b, w.tie_trust)
        self.n_replicates = self.layout.n_replicates
        self.unit_rep = self.layout.unit_rep
        self.n_adopting = total_by(self.unit_rep, w.org_adopting, self.n_replicates)
        formal_degree = np.diff(self.ties.formal_indptr)
        self.formal_owner = np.repeat(np.arange(formal_degree.size), formal_degree)

    def _start_community(self) -> None:
        cfg, r = self.config, self.n_replicates
        c = cfg.coordinator
        self.vitality = np.full(r, cfg.community.initial_vitality if self.enabled else 0.0)
        self.repertoire = np.zeros(r)
        self.peak_members = np.zeros(r)
        self.technical = np.full(r, c.technical_competence)
        self.interpersonal = np.full(r, c.interpersonal_competence)
        self.one_each = np.ones(r, np.int64)  # one draw per replicate
        self.has_support_team = self.enabled and cfg.support_team.enabled
        self.platform_quality = (
            cfg.support_team.platform_quality if self.has_support_team else cfg.community.platform_quality
        )
        self.time_cost_scale = interaction.time_cost_scale(cfg.community.channels, self.platform_quality)
        zero = np.zeros(r)
        self.demand = coordination.demand(zero, zero, zero, zero, self.time_cost_scale, c)
        self.coordination = coordination.allocate(
            zero, self.technical, self.interpersonal, self.demand, zero, c
        )
        self.sponsor = sponsorship.SponsorState.initial(cfg.sponsor, r)
        self.motivation = self.people.motivation.copy()  # as it acts this week (exchange sets it)
        self.work_share = np.ones(self.people.org.size)  # share of the work week not in the community
        self.member_hours = zero
        self.adopted_week = adoption.adopted_at_launch(
            self.streams.world.uniform(self.layout.units),
            self.world.org_adopting,
            self.layout.unit_start,
            cfg.adoption,
        )
        self.alumni_knowledge = np.zeros(0)
        self.alumni_rep = np.zeros(0, np.int64)
        self.hire_log: list[tuple[np.ndarray, np.ndarray]] = []  # (replicate, weeks) per hire
        self.retirements = np.zeros(r, np.int64)
        self.shared = np.zeros(r)
        self.chances = np.zeros(r)

    def _create_agents(self) -> None:
        Practitioner.create_agents(self, self.people.org.size, slot=np.arange(self.people.org.size))
        replicates = np.arange(self.n_replicates)
        Sponsor.create_agents(self, self.n_replicates, replicate=replicates)
        if self.enabled:
            team = self.config.coordinator.team_size
            Coordinator.create_agents(self, self.n_replicates * team, replicate=np.repeat(replicates, team))
        if self.has_support_team:
            SupportTeam.create_agents(self, self.n_replicates, replicate=replicates)

    # ------------------------------------------------------------------ derived quantities
    @property
    def week(self) -> int:
        return self.steps

    @property
    def horizon(self) -> int:
        return self.config.horizon_weeks

    @property
    def adopted(self) -> np.ndarray:
        return self.adopted_week >= 0

    def _mandated(self) -> np.ndarray:
        return sponsorship.mandated(self.sponsor.level, self.config.sponsor, self.enabled)

    def _legitimacy(self) -> np.ndarray:
        return sponsorship.legitimacy(self.sponsor.level, self.config.sponsor, self.enabled)

    def _endorsing(self) -> np.ndarray:
        return sponsorship.endorsing(self.sponsor.level, self.config.sponsor)

    def _alumni_count(self) -> np.ndarray:
        return total_by(self.alumni_rep, None, self.n_replicates).astype(np.int64)

    # ------------------------------------------------------------------ the week
    def step(self) -> None:
        """One week: every phase in order, then observation. Refused past the horizon."""
        if self.steps > self.horizon:
            raise RuntimeError(
                f"CopModel: the run ended at week {self.horizon} (horizon_weeks); "
                "it cannot step past it (check model.running)"
            )
        for name in self.PHASES:
            start = time.perf_counter()
            getattr(self, f"_{name}")()
            if self.phase_seconds is not None:
                self.phase_seconds[name] += time.perf_counter() - start
        self._observe()
        self.running = self.steps < self.horizon

    def _demography(self) -> None:
        cfg, p, s = self.config, self.people, self.streams
        d = cfg.demography
        p.experience += 1
        probability = demography.leaving_probability(self.week, p.experience, d)
        slots = np.flatnonzero(demography.retiring(s.retirement.uniform(self.layout.people), probability))
        slot_rep = p.rep[slots]
        leavers = total_by(slot_rep, None, self.n_replicates).astype(np.int64)
        self.retirements = leavers
        # before they go, the community captures what its members among them know
        if self.enabled:
            known = total_by(slot_rep, p.knowledge[slots] * p.is_member[slots], self.n_replicates)
            capacity = practice.capture_capacity(
                self.coordination.curation, self.has_support_team, cfg.support_team.capture_support
            )
            expected = practice.captured_items(known, capacity, cfg.practice)
            self.repertoire = self.repertoire + s.practice.poisson(expected, self.one_each)
        # who of the leavers stays on as an alumnus, and which alumni stay on
        stays = demography.staying_on_as_alumni(s.alumni.uniform(leavers), p.is_member[slots], d.alumni_share)
        remain = demography.alumni_remaining(s.alumni.uniform(self._alumni_count()), d.alumni_leave_per_year)
        knowledge = np.concatenate((self.alumni_knowledge[remain], p.knowledge[slots[stays]]))
        rep = np.concatenate((self.alumni_rep[remain], slot_rep[stays]))
        order = np.argsort(rep, kind="stable")  # the pool stays sorted by replicate
        self.alumni_knowledge, self.alumni_rep = knowledge[order], rep[order]
        self._log_hires(slots)
        p.hire(
            slots,
            knowledge=s.hiring.beta_by_moments(d.hire_knowledge, d.hire_knowledge_sd, leavers),
            motivation=s.hiring.normal(leavers),
            interest=s.hiring.normal(leavers),
            mandated=self._mandated()[slot_rep],
            week=self.week,
        )
        self.ties.reset_trust(slots)

    def _log_hires(self, slots: np.ndarray) -> None:
        """Keep time-to-talent of the hires among ``slots`` hired at least
        :data:`TIME_TO_TALENT_WINDOW` weeks before the end of the run."""
        p = self.people
        hired = p.hired_week[slots]
        hires = slots[(hired > 0) & (hired <= self.horizon - TIME_TO_TALENT_WINDOW)]
        weeks = demography.time_to_talent(p.hired_week[hires], p.competent_week[hires])
        self.hire_log.append((p.rep[hires], weeks))

    def _sponsors(self) -> None:
        u = self.streams.sponsor.uniform(self.one_each, rows=2)
        self.sponsor = sponsorship.sponsor_week(self.sponsor, u, self.week, self.config.sponsor)

    def _support_team(self) -> None:
        if self.has_support_team:
            t = self.config.support_team
            gain = support.coaching_gain(t)
            self.technical = support.coached(self.technical, gain, t.coaching_ceiling)
            self.interpersonal = support.coached(self.interpersonal, gain, t.coaching_ceiling)

    def _coordinators(self) -> None:
        if not self.enabled:
            return
        cfg, p, r = self.config, self.people, self.n_replicates
        c, cc = cfg.coordinator, cfg.community
        member = p.is_member
        with_members = np.bincount(p.org[member], minlength=self.world.n_organizations) > 0
        self.demand = coordination.demand(
            members=total_by(p.rep, member, r),
            organizations=total_by(self.unit_rep, with_members, r),
            unaware=total_by(p.rep, ~p.aware, r),
            repertoire=self.repertoire,
            time_cost_scale=self.time_cost_scale,
            c=c,
        )
        hours = coordination.team_hours(c, self.enabled, r)
        resources = sponsorship.resources(self.sponsor.level, cfg.sponsor)
        self.coordination = coordination.allocate(
            hours, self.technical, self.interpersonal, self.demand, resources, c
        )
        self.vitality = coordination.next_vitality(
            self.vitality, self.coordination.activity, cc.vitality_gain, cc.vitality_decay
        )

    def _participation(self) -> None:
        if not self.enabled:
            return
        cfg, p, w, s = self.config, self.people, self.world, self.streams
        pc = cfg.participation
        rep, member, mandated = p.rep, p.is_member, self._mandated()
        # awareness: word of mouth from member colleagues, the coordinator's recruitment
        colleagues = np.diff(self.ties.formal_indptr)
        member_colleagues = total_by(self.formal_owner, member[self.ties.formal_neighbour], colleagues.size)
        share = np.divide(member_colleagues, colleagues, out=np.zeros(colleagues.size), where=colleagues > 0)
        unaware = total_by(rep, ~p.aware, self.n_replicates)
        recruits = np.divide(
            self.coordination.recruits, unaware, out=np.zeros_like(unaware), where=unaware > 0
        )
        hearing = participation.hearing_probability(
            share, cfg.community.word_of_mouth, np.minimum(recruits, 1.0)[rep]
        )
        p.aware = participation.aware_after_hearing(
            p.aware, s.awareness.uniform(self.layout.people), hearing, mandated[rep]
        )
        # the aware who reconsider this week choose their level
        u = s.participation.uniform(self.layout.people, rows=2)
        who = np.flatnonzero((u[0] < pc.revision_rate) & p.aware)
        r, org = rep[who], p.org[who]
        ceiling = practice.knowledge_ceiling(self.repertoire, cfg.exchange.base_ceiling, cfg.practice)
        legitimacy = self._legitimacy()
        util = participation.utility(
            gap=self.vitality[r] * np.maximum(ceiling[r] - p.knowledge[who], 0.0),
            belonging=participation.belonging(p.recent_exchanges[who], pc.belonging_half),
            interest=p.interest[who],
            boundary=w.org_boundary[org],
            silo=w.org_silo[org],
            legitimacy=legitimacy[r],
            vitality=self.vitality[r],
            protected_time=sponsorship.protected_time(self.sponsor.level, cfg.sponsor)[r],
            time_cost_scale=self.time_cost_scale,
            p=pc,
        )
        levels = participation.chosen_level(u[1][who], util, pc)
        p.membership = participation.revised_membership(p.membership, who, levels, p.aware, mandated[rep])

    def _exchange(self) -> None:
        cfg, p, ties, s = self.config, self.people, self.ties, self.streams
        ex, tr, channels, a = cfg.exchange, cfg.trust, cfg.community.channels, cfg.adoption
        rep, is_member = p.rep, p.is_member
        # motivation as it acts this week: a mandate crowds it out, recognition lifts it
        sponsor_level = self.sponsor.level if self.enabled else np.zeros(self.n_replicates)
        shift = participation.motivation_shift(
            self._mandated(), sponsor_level, cfg.motivation.crowding_out_sd, cfg.motivation.recognition_sd
        )
        self.motivation = p.motivation + shift[rep] * is_member
        # who meets whom: community contacts, introductions, questions to experts, colleagues
        members = interaction.Members.of(is_member, rep, self.n_replicates)
        per_level = np.array([0.0, ex.contacts_peripheral, ex.contacts_active, ex.contacts_core])
        level_rate = per_level[None, :] * interaction.channel_multiplier(channels) * self.vitality[:, None]
        rate = level_rate[members.rep, p.membership[members.ids]] * interaction.seeking(
            self.motivation[members.ids], cfg.motivation.seek_motivation
        )
        weight = interaction.partner_weight(p.membership, p.knowledge, ex)
        ci, cj = interaction.contacts(
            s.contacts,
            members,
            rate,
            weight,
            ex.revisit_share,
            ties.rows(),
            ties.trust,
            is_member.astype(float),
        )
        bi, bj = interaction.introductions(s.contacts, members, self.coordination.introductions, p.org)
        questions = interaction.question_rate(self.coordination.referrals, channels)
        qi, expert = interaction.questions(s.contacts, members, questions, p.knowledge, self._alumni_count())
        colleague_draws = s.contacts.uniform(self.layout.people, rows=2)
        fi, fj = interaction.colleagues(
            colleague_draws, ties.formal_indptr, ties.formal_neighbour, ex.formal_contact_rate
        )
        to_member = expert >= 0
        blocks = [(ci, cj, True), (bi, bj, True), (qi[to_member], expert[to_member], True), (fi, fj, False)]
        met = interaction.in_replicate_order(blocks, rep)
        # who shares: motivation and trust
        tie = ties.find(met.i, met.j)
        u = s.sharing.uniform(total_by(met.rep, None, self.n_replicates).astype(np.int64), rows=2)
        shares = exchange.sharing(u, met.i, met.j, ties.trust_at(tie, tr.stranger), self.motivation, ex)
        p.contributions += exchange.contributions(met.i, met.j, shares, met.community, p.knowledge)
        self.shared = total_by(met.rep, (shares & met.community).sum(axis=0), self.n_replicates)
        self.chances = 2 * total_by(met.rep, met.community, self.n_replicates)
        exchanged = met.community & shares.any(axis=0)
        this_week = np.bincount(np.concatenate((met.i[exchanged], met.j[exchanged])), minlength=p.org.size)
        p.recent_exchanges = participation.recent_exchanges(
            p.recent_exchanges, this_week, cfg.participation.belonging_memory
        )
        # learning: from partners and alumni, on the job (in the time work leaves), the library,
        # and for hires in their first year the repertoire
        teaches = self.enabled and a.community_teaches
        teaching = shares if teaches else shares & ~met.community
        alumnus = -1 - expert[~to_member] if teaches else np.zeros(0, np.int64)
        askers = qi[~to_member] if teaches else np.zeros(0, np.int64)
        gains = exchange.gains(
            p.knowledge,
            met.i,
            met.j,
            teaching,
            askers,
            self.alumni_knowledge[alumnus],
            ex.absorptive_capacity,
        )
        ceiling = practice.knowledge_ceiling(self.repertoire, ex.base_ceiling, cfg.practice)
        library = np.zeros(self.n_replicates)
        if teaches:
            library = exchange.library_rate(ex, channels.online_library, self.platform_quality, self.vitality)
        hours = interaction.member_hours(
            p.membership, self.vitality[rep], channels, self.time_cost_scale, cfg.participation
        )
        self.member_hours = total_by(rep, hours, self.n_replicates)
        self.work_share = 1.0 - np.minimum(hours / coordination.HOURS_PER_FTE_WEEK, 1.0)
        new_hire = (p.hired_week > 0) & (self.week - p.hired_week < ONBOARDING_WEEKS)
        onboarding = practice.onboarding_rate(self.repertoire, cfg.practice)[rep] * (new_hire & teaches)
        p.knowledge = exchange.learned(
            p.knowledge,
            gains,
            np.where(is_member, ceiling[rep], ex.base_ceiling),
            p.membership,
            library[rep],
            self.work_share,
            onboarding,
            ceiling[rep],
            ex,
        )
        competent = demography.newly_competent(
            p.knowledge, p.hired_week, p.competent_week, cfg.demography.competence_threshold
        )
        p.competent_week[competent] = self.week
        # trust: reciprocity builds it, idle ties decay; strangers who exchanged make a new tie
        step = trust.step_of_meetings(shares, tr.gain)
        on_tie = tie >= 0
        ties.trust = trust.trust_after_week(ties.trust, ties.floor, tie[on_tie], step[on_tie], tr.decay)
        new = ~on_tie & (step > 0)
        ties.add(met.i[new], met.j[new], trust.first_impression(step[new], tr.stranger), tr.baseline)
        if self.week % trust.PRUNE_EVERY_WEEKS == 0:
            ties.prune(trust.LAPSE_MARGIN)

    def _practice(self) -> None:
        if not self.enabled:
            return
        cfg, p = self.config, self.people
        n_core, mean_knowledge, diversity = practice.core_profile(
            p.membership == participation.CORE, p.knowledge, p.org, p.rep, self.unit_rep
        )
        expected = practice.expected_items(
            n_core,
            mean_knowledge,
            diversity,
            self.coordination.curation,
            cfg.community.channels.joint_project,
            self.vitality,
            cfg.practice.build_rate,
        )
        self.repertoire = self.repertoire + self.streams.practice.poisson(expected, self.one_each)

    def _adoption(self) -> None:
        cfg, w, p, t = self.config, self.world, self.people, self.ties
        a = cfg.adoption
        adopted, adopting = self.adopted, w.org_adopting
        share = total_by(self.unit_rep, adopted, self.n_replicates) / self.n_adopting
        if cfg.world.topology == "complete" or a.global_mixing >= 1.0:
            exposure = share[self.unit_rep]
        else:  # only ties across organizations expose a unit
            counted = t.cross & (t.formal | a.community_ties_expose)
            tie = adoption.tie_exposure(
                t.org_a, t.org_b, t.trust, counted, adopted, adopting, a.exposure_half
            )
            exposure = a.global_mixing * share[self.unit_rep] + (1.0 - a.global_mixing) * tie
        innovation = adoption.innovation_rate(a.p, cfg.sponsor.endorsement, self._endorsing())
        ready = adoption.readiness(p.knowledge, self.motivation, w.org_start, a) * adoption.capacity(
            self.work_share, w.org_start, a
        )
        probability = adoption.weekly_probability(ready, exposure, innovation[self.unit_rep], a)
        u = self.streams.adoption.uniform(self.layout.units)
        self.adopted_week[adoption.adopting_now(u, probability, adopting, adopted)] = self.week

    # ------------------------------------------------------------------ observation
    def _observe(self) -> None:
        """This week's outcomes, per replicate, into the data collector."""
        p, cfg = self.people, self.config
        counts = census(p.membership, p.knowledge, p.rep, self.ties, cfg.trust.stranger, self.n_replicates)
        members = counts["levels"][:, 1:].sum(axis=1)
        self.peak_members = np.maximum(self.peak_members, members)
        self._current = weekly_values(
            counts,
            adopters=total_by(self.unit_rep, self.adopted, self.n_replicates),
            n_adopting=self.n_adopting,
            shared=self.shared,
            chances=self.chances,
            repertoire=self.repertoire,
            vitality=self.vitality,
            stage=lifecycle.stage(self.vitality, members, self.peak_members, self.enabled),
            sponsor_level=self.sponsor.level,
            coordinator_hours=self.coordination.hours,
            coordination_demand=self.demand.total if self.enabled else np.zeros(self.n_replicates),
            member_hours=self.member_hours,
            alumni=self._alumni_count(),
            retirements=self.retirements,
        )
        self.datacollector.collect(self)

    def current(self, name: str) -> float | np.ndarray:
        """This week's value of outcome ``name``: a number for a single run, else one per replicate."""
        value = self._current[name]
        return value.item() if self.n_replicates == 1 else value

    # ------------------------------------------------------------------ results
    def timeseries(self, replicate: int = 0) -> pd.DataFrame:
        """Replicate ``replicate``'s weekly outcomes so far (week 0 first)."""
        return series_frame({name: weeks[:, replicate] for name, weeks in self._weekly_table().items()})

    def _weekly_table(self) -> dict[str, np.ndarray]:
        """Every outcome collected so far as an array of weeks by replicates, converted from the
        data collector's lists once per week observed, not once per replicate read."""
        collected = self.datacollector.model_vars
        weeks = len(next(iter(collected.values())))
        if self._table is None or self._table[0] != weeks:
            self._table = (weeks, {name: np.asarray(v).reshape(weeks, -1) for name, v in collected.items()})
        return self._table[1]

    def summary(self, replicate: int = 0) -> dict:
        """Replicate ``replicate``'s summary outcomes (:func:`copsim.model.outcomes.summarize`)."""
        p = self.people
        slots = np.flatnonzero(p.rep == replicate)
        current = slots[
            (p.hired_week[slots] > 0) & (p.hired_week[slots] <= self.horizon - TIME_TO_TALENT_WINDOW)
        ]
        durations = [weeks[rep == replicate] for rep, weeks in self.hire_log]
        durations.append(demography.time_to_talent(p.hired_week[current], p.competent_week[current]))
        return summarize(
            self.timeseries(replicate), np.concatenate(durations), top_share(p.contributions[slots])
        )

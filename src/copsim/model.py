"""CopModel: the weekly process of a community-of-practice initiative (docs/ODD.md).

The model owns the practitioners' state as arrays (:class:`People`) and the ties
(:class:`copsim.network.Ties`); :class:`copsim.agents.Practitioner` agents are views onto them.
Each week runs the phases in :attr:`CopModel.PHASES`, in order, each a short method that calls
the vectorized rule in :mod:`copsim.mechanisms` with this week's inputs. The model knows no
Hydra, files or plots.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import mesa
import numpy as np

from .agents import Coordinator, Practitioner, Sponsor, SupportTeam
from .config import CopConfig
from .mechanisms import (
    adoption,
    coordination,
    demography,
    exchange,
    interaction,
    participation,
    practice,
    trust,
)
from .outcomes import STAGES, Recorder, census, summarize, top_share
from .streams import Streams
from .world import World, build_world

#: community ties whose trust is within this of their floor have lapsed and are dropped
LAPSED_TRUST = 0.02
PRUNE_EVERY_WEEKS = 13


def _weighted_mean(values: list[float], weights: list[float]) -> float:
    """``np.average(values, weights=weights)``, bit for bit, without its overhead for one value.

    For a single value numpy computes ``(v * w) / w``; Python floats do the same IEEE operations.
    """
    if len(values) == 1:
        w = weights[0]
        return values[0] * w / w
    return float(np.average(values, weights=weights))


@dataclass
class People:
    """Practitioner state, one array per attribute, indexed by slot (see outcomes for units)."""

    org: np.ndarray
    knowledge: np.ndarray
    motivation: np.ndarray
    interest: np.ndarray
    membership: np.ndarray
    aware: np.ndarray
    hired_week: np.ndarray
    competent_week: np.ndarray
    contributions: np.ndarray

    @classmethod
    def initial(cls, config: CopConfig, world: World, rng: np.random.Generator) -> People:
        n = world.n_practitioners
        ex = config.exchange
        return cls(
            org=world.practitioner_org,
            knowledge=demography.beta_by_moments(rng, n, ex.initial_knowledge, ex.initial_knowledge_sd),
            motivation=rng.standard_normal(n),
            interest=rng.standard_normal(n),
            membership=np.zeros(n, np.int8),
            aware=rng.random(n) < config.community.initial_awareness,
            hired_week=np.zeros(n, np.int32),
            competent_week=np.full(n, -1, np.int32),
            contributions=np.zeros(n, np.int64),
        )


class CopModel(mesa.Model):
    """An agent-based model of one community-of-practice initiative and the diffusion it drives.

    Args:
        config: a validated :class:`copsim.config.CopConfig`.
        time_phases: accumulate wall-clock seconds per phase in ``phase_seconds`` (benchmarks).
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

    def __init__(self, config: CopConfig, time_phases: bool = False) -> None:
        super().__init__(rng=config.seed)
        self.config = config
        self.streams = Streams(config.seed)
        self.world = build_world(config, self.streams.world)
        self.people = People.initial(config, self.world, self.streams.world)
        self.ties = self.world.ties
        self.n = self.world.n_practitioners
        self.enabled = config.community.enabled
        founders = self.streams.world.random(self.n) < config.community.founding_share
        if self.enabled:
            self.people.membership[founders] = participation.CORE
            self.people.aware |= founders
        self.practitioners: list[Practitioner] = [Practitioner(self, 0)]  # (makes Mesa's agent set)
        self.practitioners += self._new_practitioners(range(1, self.n))
        c = config.coordinator
        home = int(np.argmin(self.world.org_boundary))
        if self.enabled:
            Coordinator.create_agents(
                self,
                c.team_size,
                fte=c.fte,
                technical=c.technical_competence,
                interpersonal=c.interpersonal_competence,
                connections=c.connections,
                organization=home,
            )
        self.sponsor = Sponsor(self, config.sponsor)
        self.support_team = (
            SupportTeam(self, config.support_team) if self.enabled and config.support_team.enabled else None
        )

        self.week = 0
        self.vitality = 0.3 if self.enabled else 0.0
        self.repertoire = 0.0
        self.coordination = coordination.Coordination()
        self.adopted_week = np.full(self.world.n_organizations, -1, np.int32)
        self.alumni_knowledge = np.zeros(0)
        self.hire_durations: list[np.ndarray] = []
        self._sharing = (0, 0)
        self._retired_this_week = 0
        self._peak_members = 0
        self.phase_seconds = {name: 0.0 for name in self.PHASES} if time_phases else None
        self._phase_methods = [getattr(self, f"_{name}") for name in self.PHASES]
        self._n_adopting = int(self.world.org_adopting.sum())
        self._adopters = 0  # adopting units that have adopted
        self._team_state: tuple | None = None  # coordinators' state behind self.coordination
        self._no_tie_exposure = np.zeros(self.world.n_organizations)  # complete mixing
        self._colleague_tally = participation.colleague_tally(self.n)  # for hearing of the community
        channels = config.community.channels
        self._channel_multiplier = interaction.channel_multiplier(channels)
        ex = config.exchange
        per_level = [0.0, ex.contacts_peripheral, ex.contacts_active, ex.contacts_core]
        self._contacts_per_level = np.array(per_level)  # community contacts/week by membership level
        self._time_cost_scales: dict[float, float] = {}  # by platform quality
        self.recorder = Recorder(config.horizon_weeks)
        self.recorder.record(0, self.observe_outcomes())

    # ------------------------------------------------------------------ derived quantities
    @property
    def mandated(self) -> bool:
        """A mandate is in force: the sponsor mandates, has any level, and a community exists."""
        return self.enabled and self.sponsor.mandate and self.sponsor.level > 0

    @property
    def legitimacy(self) -> float:
        return self.sponsor.effective_legitimacy if self.enabled else 0.0

    @property
    def platform_quality(self) -> float:
        if self.support_team is not None:
            return self.support_team.platform_quality
        return self.config.community.platform_quality

    @property
    def member_ceiling(self) -> float:
        return practice.knowledge_ceiling(
            self.repertoire, self.config.exchange.base_ceiling, self.config.practice.half_repertoire
        )

    @property
    def adopted(self) -> np.ndarray:
        return self.adopted_week >= 0

    # ------------------------------------------------------------------ the week
    def step(self) -> None:
        """One week: every phase in order, then observation."""
        self.week = self.steps
        if self.phase_seconds is None:
            for phase in self._phase_methods:
                phase()
        else:
            for name, phase in zip(self.PHASES, self._phase_methods, strict=True):
                start = time.perf_counter()
                phase()
                self.phase_seconds[name] += time.perf_counter() - start
        self.recorder.record(self.week, self.observe_outcomes())

    def _demography(self) -> None:
        d, p = self.config.demography, self.people
        prob = demography.retirement_probability(
            self.week, d.retirement_per_year, d.wave, d.wave_share, d.wave_start_week, d.wave_years
        )
        leaving = demography.retirements(self.streams.handle("retirement"), self.n, prob)
        u_leaving, stay = demography.alumni_draws(
            self.streams.handle("alumni"),
            leaving,
            self.n,
            self.alumni_knowledge.size,
            demography.weekly_probability(d.alumni_leave_per_year),
        )
        self._retired_this_week = leaving.size
        if self.alumni_knowledge.size:  # alumni drift away
            self.alumni_knowledge = self.alumni_knowledge[stay]
        if leaving.size == 0:
            return
        alumni = demography.new_alumni(leaving, p.membership, u_leaving, d.alumni_share, p.knowledge)
        self.alumni_knowledge = np.concatenate([self.alumni_knowledge, alumni])
        self._log_hires(leaving)
        rng = self.streams.hiring
        p.knowledge[leaving] = demography.hire_knowledge(rng, leaving.size, d.hire_knowledge)
        p.motivation[leaving] = rng.standard_normal(leaving.size)
        p.interest[leaving] = rng.standard_normal(leaving.size)
        p.membership[leaving] = participation.PERIPHERAL if self.mandated else participation.NON_MEMBER
        p.aware[leaving] = self.mandated
        p.hired_week[leaving] = self.week
        p.competent_week[leaving] = -1
        p.contributions[leaving] = 0
        self.ties.reset_trust(leaving)
        self._replace_practitioners(leaving)

    def _registry_is_quiet(self) -> bool:
        """No one listens to Mesa's agent signals and no Mesa dataset tracks practitioners.

        Then registering and deregistering agents has no side effect beyond Mesa's agent sets,
        so :meth:`_replace_practitioners` and :meth:`remove_all_agents` may update those sets in
        bulk (about 20x cheaper per agent than ``Agent.remove()`` plus ``Agent.__init__``).
        """
        return (
            not self._suppress
            and self._batch_context is None
            and not any(key[0] == "agents" for key in self.subscribers)
            and not Practitioner._datasets
            and Practitioner in self._agents_by_type
        )

    def _replace_practitioners(self, slots: np.ndarray) -> None:
        """Remove the Practitioner agents at ``slots`` and register a new one (the hire) in each.

        Equivalent to ``old.remove(); Practitioner(self, slot)`` slot by slot (same unique ids,
        same order in Mesa's agent sets); done in bulk when :meth:`_registry_is_quiet`.
        """
        slots = slots.tolist()
        if not self._registry_is_quiet():
            for slot in slots:
                self.practitioners[slot].remove()
                self.practitioners[slot] = Practitioner(self, slot)
            return
        by_type = self._agents_by_type[Practitioner]._agents
        everyone = self._all_agents._agents
        for slot, new in zip(slots, self._new_practitioners(slots), strict=True):
            old = self.practitioners[slot]
            del by_type[old]
            del everyone[old]
            self.practitioners[slot] = new

    def _new_practitioners(self, slots: Iterable[int]) -> Iterator[Practitioner]:
        """Practitioner agents for ``slots``, registered with Mesa in that order, one at a time.

        Equivalent to ``Practitioner(self, slot)`` for each (same unique ids, same order in
        Mesa's agent sets); in bulk when :meth:`_registry_is_quiet`. One at a time so that a
        caller replacing agents releases each old one before the next is made: creating tens of
        thousands first wakes Python's cyclic garbage collector (company_command's demography
        ran twice as slow at 100,000 practitioners).
        """
        if not self._registry_is_quiet():
            for slot in slots:
                yield Practitioner(self, slot)
            return
        by_type = self._agents_by_type[Practitioner]._agents
        everyone = self._all_agents._agents
        for slot in slots:
            agent = Practitioner.view(self, slot, self.agent_id_counter)
            by_type[agent] = None
            everyone[agent] = None
            self.agent_id_counter += 1
            yield agent

    def remove_all_agents(self) -> None:
        """Remove every agent (Mesa's API); practitioners in bulk when the registry is quiet."""
        if self._registry_is_quiet():
            by_type = self._agents_by_type[Practitioner]._agents
            everyone = self._all_agents._agents
            for agent in self.practitioners:
                by_type.pop(agent, None)
                everyone.pop(agent, None)
        self.practitioners = []
        super().remove_all_agents()

    def _log_hires(self, slots: np.ndarray) -> None:
        """Keep time-to-talent of the hires among ``slots`` hired at least two years before the
        end of the run."""
        p, last_hire_week = self.people, self.config.horizon_weeks - 104
        self.hire_durations.append(
            demography.time_to_talent(slots, p.hired_week, p.competent_week, last_hire_week)
        )

    def _sponsors(self) -> None:
        self.sponsor.step()

    def _support_team(self) -> None:
        if self.support_team is not None:
            self.support_team.step()

    def _coordinators(self) -> None:
        if not self.enabled:
            return
        team = list(self.agents_by_type[Coordinator])  # plain list: cheaper than AgentSet.get
        for member in team:
            member.step()
        state = tuple(
            (m.hours, m.technical_competence, m.interpersonal_competence, m.connections) for m in team
        )
        if state != self._team_state:  # the yields change only when the team does (e.g. coaching)
            hours_each = [h for h, _, _, _ in state]
            weights = [h + 1e-12 for h in hours_each]  # (as numpy's float64 addition)
            self.coordination = coordination.allocate(
                float(sum(hours_each)),
                _weighted_mean([t for _, t, _, _ in state], weights),
                _weighted_mean([i for _, _, i, _ in state], weights),
                _weighted_mean([c for _, _, _, c in state], weights),
                self.config.coordinator,
            )
            self._team_state = state
        cc = self.config.community
        self.vitality = coordination.next_vitality(
            self.vitality, self.coordination.activity, cc.vitality_gain, cc.vitality_decay
        )

    def _participation(self) -> None:
        if not self.enabled:
            return
        cfg, p = self.config, self.people
        member = p.membership > 0
        # awareness: word of mouth from member colleagues, the coordinator's recruitment
        participation.hear(
            self.streams.handle("awareness"),
            p.aware,
            member,
            self._colleague_tally,
            self.ties.indptr,
            self.ties.neighbour,
            cfg.community.word_of_mouth,
            self.coordination.recruits,
            self.mandated,
        )
        # choice of membership level: only aware practitioners who reconsider this week choose
        pc, world = cfg.participation, self.world
        who, u = participation.reconsidering(self.streams.handle("participation"), pc.revision_rate, p.aware)
        belonging = self.ties.mean_trust_to(who, member, cfg.trust.stranger)
        terms = participation.utility_terms(
            self.legitimacy, self.vitality, self.sponsor.protected_time, self._time_cost_scale(), pc
        )
        levels = participation.choose_levels(
            u,
            who,
            belonging,
            p.knowledge,
            self.member_ceiling,
            self.vitality,
            p.interest,
            p.org,
            world.org_boundary,
            world.org_silo,
            terms,
            (pc.active_cut, pc.core_cut),
        )
        p.membership = participation.revise(p.membership, who, levels, p.aware, self.mandated)

    def _time_cost_scale(self) -> float:
        """Relative time cost of taking part at the current platform quality (memoised)."""
        quality = self.platform_quality
        scale = self._time_cost_scales.get(quality)
        if scale is None:
            scale = interaction.time_cost_scale(self.config.community.channels, quality)
            self._time_cost_scales[quality] = scale
        return scale

    def _exchange(self) -> None:
        cfg, p, ties = self.config, self.people, self.ties
        ex, tr = cfg.exchange, cfg.trust
        is_member, members = participation.members_of(p.membership)  # (none: no community yet)
        # who meets whom: community channels, brokered introductions, referrals, colleagues
        level_rate = self._contacts_per_level * self._channel_multiplier * self.vitality
        qa = self.coordination.referrals * (0.5 + 0.5 * cfg.community.channels.qa_referral)
        i, j, edge, n_community, alumni_askers, alumni_asked = interaction.meetings(
            self.streams.handle("contacts"),
            ties,
            members,
            level_rate=level_rate,
            membership=p.membership,
            is_member=is_member,
            org=p.org,
            knowledge=p.knowledge,
            revisit=ex.revisit_share,
            introductions=self.coordination.introductions,
            referrals=qa,
            n_alumni=self.alumni_knowledge.size,
            formal_rate=ex.formal_contact_rate,
        )
        shift = participation.motivation_shift(
            self.mandated,
            self.sponsor.level if self.enabled else 0.0,
            cfg.motivation.crowding_out_sd,
            cfg.motivation.recognition_sd,
        )
        givers = (p.motivation, is_member, shift)
        stream = self.streams.handle("sharing")
        shares = exchange.sharing(stream, i, j, edge, ties.trust, tr.stranger, *givers, ex)
        acts = exchange.count_contributions(p.contributions, i, j, shares, n_community)
        self._sharing = (acts, 2 * n_community)
        library_rate = 0.0
        if self.enabled:
            channels = cfg.community.channels
            library_rate = ex.library_rate * channels.online_library * self.platform_quality * self.vitality
        p.knowledge = exchange.learn(
            p.knowledge,
            i,
            j,
            shares,
            askers=alumni_askers,
            alumni_answers=self.alumni_knowledge[alumni_asked],
            is_member=is_member,
            member_ceiling=self.member_ceiling,
            alpha=ex.absorptive_capacity,
            base_ceiling=ex.base_ceiling,
            on_the_job_rate=ex.on_the_job_rate,
            library_rate=library_rate,
            membership=p.membership,
        )
        threshold = cfg.demography.competence_threshold
        demography.mark_competent(p.competent_week, p.hired_week, p.knowledge, threshold, self.week)
        # trust: reciprocity builds it, idle ties decay; new community ties where strangers exchanged
        on_ties = (ties.view("trust"), ties.view("floor"))
        strangers = trust.week(*on_ties, i, j, edge, shares, tr.gain, tr.decay, tr.stranger)
        ties.add(*strangers, floor=tr.baseline, absent=True)  # (they met with no tie: edge -1)
        if self.week % PRUNE_EVERY_WEEKS == 0:
            ties.prune(LAPSED_TRUST)
            ties.rebuild_partner_index()

    def _practice(self) -> None:
        if not self.enabled:
            return
        p, cfg = self.people, self.config
        n_core, mean_k, core_diversity = practice.core_profile(p.membership, p.knowledge, p.org)
        boost = self.coordination.curation + 0.5 * cfg.community.channels.joint_project
        expected = (
            practice.expected_items(n_core, core_diversity, mean_k, cfg.practice.build_rate, boost)
            * self.vitality
        )
        self.repertoire += float(self.streams.practice.poisson(expected))

    def _adoption(self) -> None:
        if self._adopters == self._n_adopting:
            return  # every adopting unit has adopted: nothing left to decide (nor to draw for)
        cfg, w = self.config.adoption, self.world
        share = self._adopters / self._n_adopting
        if self.config.world.topology == "complete" or cfg.global_mixing >= 1.0:
            tie, mixing = self._no_tie_exposure, 1.0
        else:
            # only ties across organizations expose a unit
            t = self.ties
            ends = t.view("org_a"), t.view("org_b"), t.view("trust")  # per live tie
            tie = adoption.tie_exposure(*ends, self.adopted, w.org_adopting, w.n_organizations)
            mixing = cfg.global_mixing
        p_eff = cfg.p * (1.0 + self.config.sponsor.endorsement * self.legitimacy)
        knowledge = self.people.knowledge
        prob = adoption.weekly_adoption_probability(knowledge, w.org_start, share, tie, mixing, p_eff, cfg)
        stream = self.streams.handle("adoption")
        self._adopters += adoption.adopt(stream, prob, w.org_adopting, self.adopted_week, self.week)

    # ------------------------------------------------------------------ observation
    def observe_outcomes(self) -> dict[str, float]:
        """This week's values of every weekly outcome (see :mod:`copsim.outcomes`)."""
        p, t = self.people, self.ties
        live = (t.view(column) for column in ("org_a", "org_b", "a", "b", "trust"))
        levels, total, squares, member_total, cross, best_trust = census(
            p.membership, p.knowledge, *live, self.config.trust.stranger
        )
        non_members, peripheral, active, core = levels.tolist()
        members = peripheral + active + core
        adopters = self._adopters
        shared, chances = self._sharing
        self._peak_members = max(self._peak_members, members)
        return {
            "adoption_share": adopters / self._n_adopting,
            "adopters": adopters,
            "members": members,
            "participation_rate": members / self.n,
            "core_share": core / members if members else 0.0,
            "active_share": active / members if members else 0.0,
            "peripheral_share": peripheral / members if members else 0.0,
            "core": core,
            "active": active,
            "peripheral": peripheral,
            "non_members": non_members,
            "mean_knowledge": total / self.n,
            "sd_knowledge": math.sqrt(squares / self.n),
            "mean_knowledge_members": member_total / members if members else 0.0,
            "cross_boundary_ties": cross,
            "cross_boundary_trust": best_trust / self.n,
            "repertoire": self.repertoire,
            "sharing_rate": shared / chances if chances else 0.0,
            "vitality": self.vitality,
            "stage": self._stage(members),
            "sponsor_level": self.sponsor.level if self.enabled else 0.0,
            "coordinator_hours": self.coordination.hours,
            "alumni": self.alumni_knowledge.size,
            "retirements": self._retired_this_week,
        }

    def _stage(self, members: int) -> int:
        """Lifecycle stage from vitality and membership (Wenger, McDermott & Snyder 2002)."""
        if not self.enabled:
            return STAGES.index("none")
        if self.vitality < 0.5 and members < 0.5 * self._peak_members:
            return STAGES.index("transformation")
        if self.vitality < 0.35:
            return STAGES.index("potential")
        if self.vitality < 0.6:
            return STAGES.index("coalescing")
        if self.vitality < 0.8:
            return STAGES.index("maturing")
        return STAGES.index("stewardship")

    # ------------------------------------------------------------------ results
    def summary(self) -> dict:
        """Summary outcomes of the run so far (see :func:`copsim.outcomes.summarize`)."""
        current = np.flatnonzero(self.people.hired_week > 0)
        self._log_hires(current)
        durations = np.concatenate(self.hire_durations) if self.hire_durations else np.zeros(0)
        self.hire_durations.pop()
        c = self.config.coordinator
        return summarize(
            self.recorder.frame(self.week),
            durations,
            team_fte=c.fte * c.team_size,
            community_enabled=self.enabled,
            top10_contribution_share=top_share(self.people.contributions),
        )

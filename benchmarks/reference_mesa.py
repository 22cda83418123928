"""A straightforward per-agent Mesa implementation of copsim's core weekly rules.

This is how a Mesa user would write the model: every practitioner is a :class:`RefPractitioner`
with its own attributes and methods, the schedule is ``agents.shuffle_do(...)`` (two stages where
copsim's rules are simultaneous: decide, then apply), neighbours live in Python dicts and lists,
and every random number is drawn one at a time. It serves two purposes:

* the **speed baseline** of ``benchmarks/run.py`` (microseconds per practitioner-week), and
* a **statistical oracle**: ``tests/test_reference_agreement.py`` checks that copsim and this
  implementation agree in distribution (adoption share, mean knowledge) over many seeds.

The rules follow ``src/copsim/model/model.py`` and ``src/copsim/model/mechanisms/`` (see docs/ODD.md),
re-written independently per agent, for a configuration **restricted** to:

* participation (awareness by word of mouth and recruitment, ordered-logit membership with
  mandate), the coordination team's constant yields and the community's vitality,
* exchange (community contacts with trusted revisits, brokered introductions, expert referrals,
  formal colleagues), absorptive capacity, on-the-job learning and the online library,
* trust (reinforcement of used ties, decay of idle ones, new community ties, quarterly pruning),
* practice (repertoire lifting the members' knowledge ceiling), and
* adoption (Bass hazard with trust-weighted tie exposure and the know-how gate).

Not covered (:func:`check_supported` rejects such configs): retirements and hires (so no
alumni), sponsor turnover or departure, and the support team (coaching, platform quality).

Random streams are not copsim's named streams: agreement is in distribution, not per seed.
"""

from __future__ import annotations

import math
from typing import Any

import mesa
import numpy as np
import pandas as pd

from copsim.model.config import CopConfig
from copsim.model.mechanisms.interaction import CHANNEL_YIELD, ONLINE_CHANNELS  # parameters, not rules
from copsim.model.mechanisms.trust import LAPSE_MARGIN, PRUNE_EVERY_WEEKS
from copsim.model.ties import Ties
from copsim.model.world import build_world

WEEKS_PER_YEAR = 52.0
HOURS_PER_FTE_WEEK = 40.0


def logistic(x: float) -> float:
    """1 / (1 + e^-x), overflow-safe."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def check_supported(config: CopConfig) -> None:
    """Raise ValueError naming the first feature of ``config`` this reference does not model."""
    if config.demography.retirement_per_year > 0 or config.demography.wave:
        raise ValueError("reference_mesa: set demography.retirement_per_year=0 and demography.wave=false")
    s = config.sponsor
    if s.turnover_per_year > 0 or s.departure_week >= 0:
        raise ValueError("reference_mesa: set sponsor.turnover_per_year=0 and sponsor.departure_week=-1")
    if config.support_team.enabled:
        raise ValueError("reference_mesa: set support_team.enabled=false")


class Tie:
    """An undirected tie between two practitioners, with its trust."""

    __slots__ = ("a", "b", "cross", "floor", "formal", "trust")

    def __init__(self, a: int, b: int, trust: float, floor: float, cross: bool, formal: bool) -> None:
        self.a, self.b = a, b
        self.trust, self.floor, self.cross, self.formal = trust, floor, cross, formal

    def other(self, me: int) -> int:
        return self.b if me == self.a else self.a


class RefPractitioner(mesa.Agent):
    """A practitioner with its own state; neighbours are looked up in the model's tie dicts."""

    def __init__(self, model: ReferenceModel, index: int, org: int, knowledge: float) -> None:
        super().__init__(model)
        self.index = index
        self.org = org
        self.knowledge = knowledge
        self.motivation = model.rng.standard_normal()
        self.interest = model.rng.standard_normal()
        self.aware = model.random.random() < model.config.community.initial_awareness
        self.membership = 0
        self.next_aware = self.aware
        self.next_membership = 0
        self.pending_gain = 0.0

    @property
    def is_member(self) -> bool:
        return self.membership > 0

    # ---------------------------------------------------------------- participation
    def decide_participation(self) -> None:
        """Stage 1: hear of the community, reconsider membership (from last week's state)."""
        m, cfg = self.model, self.model.config
        aware = self.aware
        if not aware:
            formal = m.formal_neighbours[self.index]
            share = sum(m.people[j].is_member for j in formal) / len(formal) if formal else 0.0
            prob = 1.0 - (1.0 - cfg.community.word_of_mouth * share) * (1.0 - m.recruit_probability)
            aware = m.random.random() < prob
        aware = aware or m.mandated
        level = self.membership
        if m.random.random() < cfg.participation.revision_rate and aware:
            level = self.choose_level()
        if not aware:
            level = 0
        if m.mandated:
            level = max(level, 1)
        self.next_aware, self.next_membership = aware, level

    def belonging(self) -> float:
        """Mean trust on my ties to members (stranger trust without any)."""
        m = self.model
        total = count = 0.0
        for tie in m.adjacency[self.index].values():
            if m.people[tie.other(self.index)].is_member:
                total += tie.trust
                count += 1
        return total / count if count else m.config.trust.stranger

    def choose_level(self) -> int:
        """Ordered logit over non-member, peripheral, active, core."""
        m, p = self.model, self.model.config.participation
        world = m.world
        gap = m.vitality * max(m.member_ceiling - self.knowledge, 0.0)
        utility = (
            p.intercept
            + p.w_learning * gap
            + p.w_belonging * self.belonging()
            + p.w_interest * self.interest
            + p.w_legitimacy * m.legitimacy * world.org_boundary[self.org]
            + p.w_vitality * m.vitality
            - p.time_cost * m.time_cost_scale * (1.0 - m.protected_time)
            - p.silo_cost * world.org_silo[self.org] * (1.0 - m.legitimacy)
        )
        u = m.random.random()
        return (
            (u < logistic(utility))
            + (u < logistic(utility - p.active_cut))
            + (u < logistic(utility - p.core_cut))
        )

    def apply_participation(self) -> None:
        """Stage 2: everyone's new awareness and membership take effect together."""
        self.aware, self.membership = self.next_aware, self.next_membership

    # ---------------------------------------------------------------- meetings
    def seek_contacts(self) -> None:
        """Meet members through the community's channels and, sometimes, a formal colleague."""
        m, ex = self.model, self.model.config.exchange
        if self.is_member and m.community_active:
            rate = m.contacts_per_level[self.membership] * m.channel_multiplier * m.vitality
            for _ in range(m.rng.poisson(rate)):
                partner = None
                if m.random.random() < ex.revisit_share:
                    partner = self.trusted_partner()
                if partner is None:
                    partner = m.random.choice(m.members)
                if partner is not self:
                    m.meetings.append((self, partner, True))
        if m.random.random() < ex.formal_contact_rate:
            formal = m.formal_neighbours[self.index]
            if formal:
                m.meetings.append((self, m.people[m.random.choice(formal)], False))

    def trusted_partner(self) -> RefPractitioner | None:
        """A member I am tied to, drawn in proportion to the tie's trust."""
        m = self.model
        candidates, weights = [], []
        for j, tie in m.adjacency[self.index].items():
            other = m.people[j]
            if other.is_member and tie.trust > 0:
                candidates.append(other)
                weights.append(tie.trust)
        if not candidates:
            return None
        return m.random.choices(candidates, weights=weights)[0]

    # ---------------------------------------------------------------- learning
    def learn(self) -> None:
        """Take this week's gains (capped), then on-the-job learning and the online library."""
        m, ex = self.model, self.model.config.exchange
        ceiling = m.member_ceiling if self.is_member else ex.base_ceiling
        k = min(self.knowledge + self.pending_gain, max(ceiling, self.knowledge))
        k += ex.on_the_job_rate * max(ex.base_ceiling - k, 0.0)
        if m.enabled:
            rate = m.library_rate * m.vitality * self.membership / 3.0
            k += rate * max(ceiling - k, 0.0)
        self.knowledge = min(k, 1.0)
        self.pending_gain = 0.0


class RefUnit(mesa.Agent):
    """An adopting unit (an organization) deciding whether to adopt this week."""

    def __init__(self, model: ReferenceModel, org: int, staff: list[int]) -> None:
        super().__init__(model)
        self.org = org
        self.staff = staff
        self.adopted = False
        self.next_adopted = False

    def decide_adoption(self) -> None:
        m, cfg = self.model, self.model.config.adoption
        self.next_adopted = self.adopted
        if self.adopted:
            return
        best = max(m.people[i].knowledge for i in self.staff)
        gate = (
            1.0
            if cfg.know_how_threshold <= 0
            else logistic((best - cfg.know_how_threshold) / cfg.know_how_width)
        )
        share = m.adopted_share
        if m.complete_mixing:
            exposure = share
        else:
            num = den = 0.0
            for i in self.staff:
                for tie in m.adjacency[i].values():
                    if not tie.cross:
                        continue
                    partner = m.units.get(m.people[tie.other(i)].org)
                    if partner is not None:
                        den += tie.trust
                        num += tie.trust * partner.adopted
            tie_exposure = num / den if den > 0 else 0.0
            exposure = cfg.global_mixing * share + (1.0 - cfg.global_mixing) * tie_exposure
        prob = 1.0 - math.exp(-(m.p_eff + cfg.q * exposure) * gate / WEEKS_PER_YEAR)
        self.next_adopted = m.random.random() < prob

    def apply_adoption(self) -> None:
        self.adopted = self.next_adopted


class ReferenceModel(mesa.Model):
    """copsim's weekly rules, per agent (see the module docstring for what is covered)."""

    def __init__(self, config: CopConfig, seed: int | None = None) -> None:
        check_supported(config)
        seed = config.seed if seed is None else seed
        super().__init__(rng=seed)
        self.config = config
        cfg = config
        self.world = build_world(config, np.random.default_rng(seed))
        self.enabled = cfg.community.enabled
        ex = cfg.exchange
        mean = min(max(ex.initial_knowledge, 1e-6), 1 - 1e-6)
        var = min(ex.initial_knowledge_sd**2, mean * (1 - mean) * 0.999)
        nu = mean * (1 - mean) / var - 1 if var > 0 else 0.0
        self.people: list[RefPractitioner] = []
        for i, org in enumerate(self.world.practitioner_org.tolist()):
            k = self.rng.beta(mean * nu, (1 - mean) * nu) if var > 0 else mean
            self.people.append(RefPractitioner(self, i, org, float(k)))
        if self.enabled:
            for person in self.people:
                if self.random.random() < cfg.community.founding_share:
                    person.membership, person.aware = 3, True
        # ties: a dict keyed by (low, high) plus, per practitioner, a dict partner -> tie
        self.ties: dict[tuple[int, int], Tie] = {}
        self.adjacency: list[dict[int, Tie]] = [{} for _ in self.people]
        self.formal_neighbours: list[list[int]] = [[] for _ in self.people]
        w = Ties(self.world.practitioner_org, self.world.tie_a, self.world.tie_b, self.world.tie_trust)
        for a, b, t, c in zip(w.a.tolist(), w.b.tolist(), w.trust.tolist(), w.cross.tolist(), strict=True):
            self._add_tie(Tie(a, b, t, t, c, True))
            self.formal_neighbours[a].append(b)
            self.formal_neighbours[b].append(a)
        adopting = self.world.org_adopting
        start = self.world.org_start
        self.units = {
            o: RefUnit(self, o, list(range(start[o], start[o + 1])))
            for o in range(self.world.n_organizations)
            if adopting[o]
        }
        self.complete_mixing = cfg.world.topology == "complete" or cfg.adoption.global_mixing >= 1.0
        # the sponsor and the coordination team are constant under the supported configs
        s = cfg.sponsor
        level = s.level if self.enabled else 0.0
        self.mandated = self.enabled and s.mandate and s.level > 0
        self.legitimacy = s.legitimacy * s.level if self.enabled else 0.0
        self.protected_time = s.level * s.protected_time_max
        self.motivation_shift = (
            -cfg.motivation.crowding_out_sd if self.mandated else cfg.motivation.recognition_sd * level
        )
        self.p_eff = cfg.adoption.p * (1.0 + s.endorsement * self.legitimacy)
        self._coordination()
        channels = cfg.community.channels
        self.channel_multiplier = sum(getattr(channels, c) * y for c, y in CHANNEL_YIELD.items())
        intensity = {c: getattr(channels, c) for c in CHANNEL_YIELD}
        total = sum(intensity.values())
        quality = cfg.community.platform_quality
        online = sum(intensity[c] for c in ONLINE_CHANNELS) / total if total else 0.0
        self.time_cost_scale = 1.0 - 0.5 * quality * online if total else 1.0
        self.library_rate = ex.library_rate * channels.online_library * quality
        self.contacts_per_level = (0.0, ex.contacts_peripheral, ex.contacts_active, ex.contacts_core)
        self.vitality = cfg.community.initial_vitality if self.enabled else 0.0
        self.repertoire = 0.0
        self.week = 0
        self.members: list[RefPractitioner] = []
        self.meetings: list[tuple[RefPractitioner, RefPractitioner, bool]] = []
        self.rows: list[dict[str, float]] = [self.observe()]

    def _coordination(self) -> None:
        """Weekly yields of a team of identical coordinators (copsim.model.mechanisms.coordination)."""
        c = self.config.coordinator
        hours = c.fte * HOURS_PER_FTE_WEEK * c.team_size if self.enabled else 0.0
        half = c.half_saturation_hours

        def saturating(h: float) -> float:
            return h / (h + half) if h > 0 else 0.0

        tech, inter = c.technical_competence, c.interpersonal_competence
        self.activity = saturating(hours * c.share_activities * inter)
        self.introductions = (
            hours * c.share_brokering * c.introductions_per_hour * inter * (0.5 + 0.5 * c.connections)
        )
        self.referrals = hours * c.share_qa * c.referrals_per_hour * tech
        self.recruits = hours * c.share_recruitment * c.recruits_per_hour * inter
        self.curation = saturating(hours * c.share_curation * tech)

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def key(i: int, j: int) -> tuple[int, int]:
        return (i, j) if i < j else (j, i)

    def _add_tie(self, tie: Tie) -> None:
        self.ties[(tie.a, tie.b)] = tie
        self.adjacency[tie.a][tie.b] = tie
        self.adjacency[tie.b][tie.a] = tie

    def _remove_tie(self, tie: Tie) -> None:
        del self.ties[(tie.a, tie.b)]
        del self.adjacency[tie.a][tie.b]
        del self.adjacency[tie.b][tie.a]

    @property
    def member_ceiling(self) -> float:
        base, half = self.config.exchange.base_ceiling, self.config.practice.half_repertoire
        return base + (1.0 - base) * self.repertoire / (self.repertoire + half)

    @property
    def adopted_share(self) -> float:
        return sum(u.adopted for u in self.units.values()) / len(self.units)

    # ---------------------------------------------------------------- the week
    def step(self) -> None:
        self.week += 1
        cfg = self.config
        people = self.agents_by_type[RefPractitioner]
        if self.enabled:
            cc = cfg.community
            v = (
                self.vitality
                + cc.vitality_gain * self.activity * (1.0 - self.vitality)
                - cc.vitality_decay * self.vitality
            )
            self.vitality = min(max(v, 0.0), 1.0)
            unaware = sum(not p.aware for p in self.people)
            self.recruit_probability = min(1.0, self.recruits / unaware) if unaware else 0.0
            people.shuffle_do("decide_participation")
            people.do("apply_participation")
        self.exchange(people)
        self.build_practice()
        units = self.agents_by_type.get(RefUnit)
        if units is not None:
            units.shuffle_do("decide_adoption")
            units.do("apply_adoption")
        self.rows.append(self.observe())

    def exchange(self, people: Any) -> None:
        cfg = self.config
        ex, tr = cfg.exchange, cfg.trust
        self.members = [p for p in self.people if p.is_member]
        self.community_active = self.enabled and len(self.members) >= 2
        self.meetings = []
        people.shuffle_do("seek_contacts")
        if self.enabled and self.members:
            self.broker_and_refer()
        used: dict[Tie, float] = {}
        new: dict[tuple[int, int], bool] = {}
        for i, j, _community in self.meetings:
            tie = self.ties.get(self.key(i.index, j.index))
            t = tie.trust if tie is not None else tr.stranger
            mi = i.motivation + self.motivation_shift * i.is_member
            mj = j.motivation + self.motivation_shift * j.is_member
            j_shares = self.random.random() < logistic(
                ex.share_intercept + ex.share_motivation * mj + ex.share_trust * (t - 0.5)
            )
            i_shares = self.random.random() < logistic(
                ex.share_intercept + ex.share_motivation * mi + ex.share_trust * (t - 0.5)
            )
            if j_shares:
                i.pending_gain += ex.absorptive_capacity * max(j.knowledge - i.knowledge, 0.0)
            if i_shares:
                j.pending_gain += ex.absorptive_capacity * max(i.knowledge - j.knowledge, 0.0)
            both = j_shares and i_shares
            step = tr.gain if both else 0.5 * tr.gain if (j_shares or i_shares) else 0.0
            if tie is not None:  # met: not idle; trust grows only if someone shared
                used[tie] = max(used.get(tie, 0.0), step)
            elif step > 0:
                new.setdefault(
                    self.key(i.index, j.index), (i.org != j.org, tr.stranger + step * (1.0 - tr.stranger))
                )
        people.do("learn")
        for tie in self.ties.values():
            step = used.get(tie)
            if step is None:
                tie.trust -= tr.decay * (tie.trust - tie.floor)
            else:
                tie.trust += step * (1.0 - tie.trust)
        for (a, b), (cross, start) in new.items():
            self._add_tie(Tie(a, b, start, tr.baseline, cross, False))
        if self.week % PRUNE_EVERY_WEEKS == 0:
            for tie in [t for t in self.ties.values() if not t.formal and t.trust - t.floor < LAPSE_MARGIN]:
                self._remove_tie(tie)

    def broker_and_refer(self) -> None:
        """The coordinators' introductions across organizations and expert referrals."""
        members = self.members
        if len(members) >= 2 and self.introductions > 0:
            for _ in range(self.rng.poisson(self.introductions)):
                i, j = self.random.choice(members), self.random.choice(members)
                if i.org != j.org:
                    self.meetings.append((i, j, True))
        qa = self.referrals * (0.5 + 0.5 * self.config.community.channels.qa_referral)
        if qa > 0:
            knowledge = sorted(p.knowledge for p in members)
            cut = float(np.quantile(knowledge, 0.75))
            experts = [p for p in members if p.knowledge >= cut]
            for _ in range(self.rng.poisson(qa)):
                asker, expert = self.random.choice(members), self.random.choice(experts)
                if asker is not expert:
                    self.meetings.append((asker, expert, True))

    def build_practice(self) -> None:
        """The core adds repertoire items, more when diverse and knowledgeable."""
        if not self.enabled:
            return
        core = [p for p in self.people if p.membership == 3]
        if not core:
            return
        counts: dict[int, int] = {}
        for p in core:
            counts[p.org] = counts.get(p.org, 0) + 1
        diversity = 1.0 - sum((c / len(core)) ** 2 for c in counts.values())
        mean_k = sum(p.knowledge for p in core) / len(core)
        cfg = self.config
        boost = self.curation + 0.5 * cfg.community.channels.joint_project
        expected = cfg.practice.build_rate * len(core) * diversity * mean_k * (1.0 + boost) * self.vitality
        self.repertoire += float(self.rng.poisson(expected))

    def observe(self) -> dict[str, float]:
        n = len(self.people)
        return {
            "week": self.week,
            "adoption_share": self.adopted_share if self.units else 0.0,
            "mean_knowledge": sum(p.knowledge for p in self.people) / n,
            "members": sum(p.is_member for p in self.people),
            "repertoire": self.repertoire,
        }


def run_reference(config: CopConfig, weeks: int | None = None, seed: int | None = None) -> pd.DataFrame:
    """Run the reference for ``weeks`` (default ``config.horizon_weeks``); one row per week."""
    model = ReferenceModel(config, seed)
    for _ in range(config.horizon_weeks if weeks is None else weeks):
        model.step()
    frame = pd.DataFrame(model.rows)
    model.remove_all_agents()
    return frame

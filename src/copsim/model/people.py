"""Practitioners' state: one array per attribute, indexed by slot (structure of arrays).

A slot is a position in an organization. When its holder retires, a hire takes the slot at once,
with a new person id, so the arrays keep their shape and per-slot random draws stay aligned
across conditions. Replicates stepped together lay their slots end to end
(:mod:`copsim.model.replicates`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import CopConfig
from .mechanisms.participation import CORE, NON_MEMBER, PERIPHERAL
from .streams import Streams


@dataclass
class People:
    """Practitioner state per slot.

    Attributes:
        rep: the slot's replicate; ``org``: its organization.
        person_id: who holds the slot (a new id when a hire fills it).
        knowledge: knowledge of the practice, 0-1.
        motivation, interest: intrinsic motivation and domain interest ("passion"), SD units.
        membership: 0 non-member, 1 peripheral, 2 active, 3 core.
        aware: knows the community exists.
        hired_week: week of hire (0 for the initial workforce).
        competent_week: week a hire reached the competence threshold (-1: not yet).
        contributions: times shared knowledge in the community's meetings.
    """

    rep: np.ndarray
    org: np.ndarray
    person_id: np.ndarray
    knowledge: np.ndarray
    motivation: np.ndarray
    interest: np.ndarray
    membership: np.ndarray
    aware: np.ndarray
    hired_week: np.ndarray
    competent_week: np.ndarray
    contributions: np.ndarray

    @classmethod
    def initial(cls, config: CopConfig, org: np.ndarray, rep: np.ndarray, streams: Streams) -> People:
        """The initial workforce: knowledge, motivation, interest, awareness and founding core
        members, drawn from the world stream after the world itself."""
        per_replicate = np.bincount(rep)
        ex, cc = config.exchange, config.community
        draw = streams.world
        n = org.size
        people = cls(
            rep=rep,
            org=org,
            person_id=np.arange(n),
            knowledge=draw.beta_by_moments(ex.initial_knowledge, ex.initial_knowledge_sd, per_replicate),
            motivation=draw.normal(per_replicate),
            interest=draw.normal(per_replicate),
            membership=np.full(n, NON_MEMBER, np.int8),
            aware=draw.uniform(per_replicate) < cc.initial_awareness,
            hired_week=np.zeros(n, np.int64),
            competent_week=np.full(n, -1, np.int64),
            contributions=np.zeros(n, np.int64),
        )
        founders = draw.uniform(per_replicate) < cc.founding_share
        if cc.enabled:
            people.membership[founders] = CORE
            people.aware |= founders
        return people

    @property
    def is_member(self) -> np.ndarray:
        return self.membership > NON_MEMBER

    def hire(
        self,
        slots: np.ndarray,
        knowledge: np.ndarray,
        motivation: np.ndarray,
        interest: np.ndarray,
        mandated: np.ndarray,
        week: int,
    ) -> None:
        """New hires take ``slots``: a mandate makes them peripheral members from the start
        (``mandated`` per slot); otherwise they start unaware of the community."""
        self.person_id[slots] = self.person_id.max() + 1 + np.arange(slots.size)
        self.knowledge[slots] = knowledge
        self.motivation[slots] = motivation
        self.interest[slots] = interest
        self.membership[slots] = np.where(mandated, PERIPHERAL, NON_MEMBER)
        self.aware[slots] = mandated
        self.hired_week[slots] = week
        self.competent_week[slots] = -1
        self.contributions[slots] = 0

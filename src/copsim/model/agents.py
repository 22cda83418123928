"""Mesa agents: practitioners, coordinators, sponsors and support teams, as views onto the model.

Every agent is a real ``mesa.Agent`` (so ``model.agents``, ``agents_by_type`` and AgentSet's
``select``, ``groupby`` and ``agg`` work), but holds no state of its own: its attributes read
and write the model's arrays, where the weekly rules (:mod:`copsim.model.mechanisms`) act on all
of them at once. A :class:`Practitioner` is a slot in an organization and persists through
retirements: its ``person_id`` changes when a hire fills the slot. Coordinators, sponsors and
support teams read their replicate's entry of the community-level arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa

if TYPE_CHECKING:
    from .model import CopModel


class _Column:
    """An attribute stored in ``model.people.<array>[slot]`` (the array defaults to its own name)."""

    def __init__(self, array: str | None = None) -> None:
        self.array = array

    def __set_name__(self, owner: type, name: str) -> None:
        self.array = self.array or name

    def __get__(self, agent: Any, owner: type | None = None) -> Any:
        if agent is None:
            return self
        return getattr(agent.model.people, self.array)[agent.slot].item()

    def __set__(self, agent: Any, value: Any) -> None:
        getattr(agent.model.people, self.array)[agent.slot] = value


class Practitioner(mesa.Agent):
    """A practitioner's slot in an organization: a view onto row ``slot`` of ``model.people``."""

    replicate = _Column("rep")  # which replicate's world the slot belongs to
    organization = _Column("org")  # index of the organization
    person_id = _Column()  # who holds the slot now
    knowledge = _Column()  # knowledge of the practice, 0-1
    motivation = _Column()  # intrinsic motivation, SD units
    interest = _Column()  # domain interest ("passion"), SD units
    membership = _Column()  # 0 non-member, 1 peripheral, 2 active, 3 core
    aware = _Column()  # knows the community exists
    hired_week = _Column()  # week of hire (0 for the initial workforce)
    contributions = _Column()  # times shared knowledge in community meetings

    def __init__(self, model: CopModel, slot: int) -> None:
        super().__init__(model)
        self.slot = int(slot)

    @property
    def tenure_weeks(self) -> int:
        return int(self.model.steps - self.hired_week)

    @property
    def is_member(self) -> bool:
        return self.membership > 0


class _ReplicateAgent(mesa.Agent):
    """An agent that stands for one replicate's entry of community-level arrays."""

    def __init__(self, model: CopModel, replicate: int) -> None:
        super().__init__(model)
        self.replicate = int(replicate)


class Coordinator(_ReplicateAgent):
    """A member of a replicate's coordination team (the team shares its hours and competence)."""

    @property
    def fte(self) -> float:
        return self.model.config.coordinator.fte

    @property
    def hours(self) -> float:
        """Hours this coordinator worked in the last week."""
        c = self.model.config.coordinator
        return float(self.model.coordination.hours[self.replicate]) / c.team_size

    @property
    def technical_competence(self) -> float:
        return float(self.model.technical[self.replicate])

    @property
    def interpersonal_competence(self) -> float:
        return float(self.model.interpersonal[self.replicate])

    @property
    def connections(self) -> float:
        return self.model.config.coordinator.connections


class Sponsor(_ReplicateAgent):
    """A replicate's executive sponsor: level, legitimacy, style, tenure and turnover."""

    @property
    def level(self) -> float:
        return float(self.model.sponsor.level[self.replicate])

    @property
    def present(self) -> bool:
        return bool(self.model.sponsor.present[self.replicate])

    @property
    def tenure_weeks(self) -> int:
        return int(self.model.sponsor.tenure_weeks[self.replicate])

    @property
    def departures(self) -> int:
        return int(self.model.sponsor.departures[self.replicate])

    @property
    def legitimacy(self) -> float:
        return self.model.config.sponsor.legitimacy

    @property
    def mandate(self) -> bool:
        return self.model.config.sponsor.mandate

    @property
    def board(self) -> bool:
        return self.model.config.sponsor.board


class SupportTeam(_ReplicateAgent):
    """A support team: coaches the replicate's coordinators and runs its platform."""

    @property
    def staff(self) -> float:
        return self.model.config.support_team.staff

    @property
    def communities_served(self) -> int:
        return self.model.config.support_team.communities_served

    @property
    def platform_quality(self) -> float:
        return self.model.config.support_team.platform_quality

    @property
    def coaching_fte(self) -> float:
        """Coaching capacity this community gets (FTE), shared across the communities served."""
        return self.staff / self.communities_served

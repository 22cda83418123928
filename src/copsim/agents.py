"""Mesa agents: practitioners (views onto the model's arrays), coordinators, sponsors, support teams.

A :class:`Practitioner` holds only its slot; its attributes read and write the model's
structure-of-arrays state, so Mesa's AgentSet API (``select``, ``groupby``, ``agg``) works while
every weekly rule runs vectorized in :mod:`copsim.mechanisms`. The few coordinators, sponsors and
support teams step as ordinary Mesa agents.
"""

from __future__ import annotations

from typing import Any

import mesa

from .mechanisms.coordination import HOURS_PER_FTE_WEEK
from .mechanisms.demography import weekly_probability


class _Column:
    """An attribute stored in ``model.people.<array>[slot]`` (the array defaults to its own name)."""

    def __init__(self, array: str | None = None) -> None:
        self.name = array

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = self.name or name

    def __get__(self, agent: Any, owner: type | None = None) -> Any:
        if agent is None:
            return self
        return getattr(agent.model.people, self.name)[agent.slot].item()

    def __set__(self, agent: Any, value: Any) -> None:
        getattr(agent.model.people, self.name)[agent.slot] = value


class Practitioner(mesa.Agent):
    """A practitioner in an organization; a thin view onto row ``slot`` of the model's arrays.

    When a practitioner retires, this agent is removed and a new one (the hire) takes the slot.
    """

    organization = _Column("org")  # index of the organization
    knowledge = _Column()  # knowledge of the practice, 0-1
    motivation = _Column()  # intrinsic motivation, SD units
    interest = _Column()  # domain interest ("passion"), SD units
    membership = _Column()  # 0 non-member, 1 peripheral, 2 active, 3 core
    aware = _Column()  # knows the community exists
    hired_week = _Column()  # week of hire (0 for the initial workforce)
    contributions = _Column()  # times shared knowledge in community channels

    def __init__(self, model: mesa.Model, slot: int) -> None:
        super().__init__(model)
        self.slot = int(slot)

    @classmethod
    def view(cls, model: mesa.Model, slot: int, unique_id: int) -> Practitioner:
        """A practitioner with the attributes ``Agent.__init__`` sets, NOT registered with Mesa.

        For :meth:`copsim.model.CopModel._replace_practitioners`, which registers hires in bulk
        when no Mesa signal or dataset would observe the registration.
        """
        agent = cls.__new__(cls)
        agent.model = model
        agent.unique_id = unique_id
        agent.pos = None
        agent.slot = slot
        return agent

    @property
    def tenure_weeks(self) -> int:
        return int(self.model.week - self.hired_week)

    @property
    def is_member(self) -> bool:
        return self.membership > 0


class Coordinator(mesa.Agent):
    """A community coordinator: FTE share, technical and interpersonal competence, connections."""

    def __init__(
        self,
        model: mesa.Model,
        fte: float,
        technical: float,
        interpersonal: float,
        connections: float,
        organization: int,
    ) -> None:
        super().__init__(model)
        self.fte = fte
        self.technical_competence = technical
        self.interpersonal_competence = interpersonal
        self.connections = connections
        self.organization = organization
        self.hours = 0.0

    def step(self) -> None:
        """Make this week's hours available; zero FTE means no coordination."""
        self.hours = self.fte * HOURS_PER_FTE_WEEK

    def coach(self, gain: float) -> None:
        """Coaching raises both competences toward 1 by ``gain`` of the gap."""
        self.technical_competence += gain * (1.0 - self.technical_competence)
        self.interpersonal_competence += gain * (1.0 - self.interpersonal_competence)


class Sponsor(mesa.Agent):
    """The executive sponsor: sponsorship level, legitimacy, style, tenure and turnover.

    On departure (a scheduled week or the turnover hazard) a sponsor board keeps
    ``board_retention`` of the level; without a board the initiative loses its sponsor until a
    replacement arrives (hazard ``replacement_per_year``). Draws two uniforms a week from the
    ``sponsor`` stream, whatever happens, so the stream stays aligned across conditions.
    """

    def __init__(self, model: mesa.Model, config: Any) -> None:
        super().__init__(model)
        self.config = config
        self.base_level = config.level
        self.level = config.level
        self.legitimacy = config.legitimacy
        self.mandate = config.mandate
        self.board = config.board
        self.present = True
        self.tenure_weeks = 0
        self.departures = 0

    def step(self) -> None:
        c = self.config
        rng = self.model.streams.sponsor
        u_turnover, u_replace = rng.random(), rng.random()  # as random(2), as Python floats
        self.tenure_weeks += 1
        if self.present:
            leaves = self.model.week == c.departure_week or u_turnover < weekly_probability(
                c.turnover_per_year
            )
            if leaves:
                self.departures += 1
                self.tenure_weeks = 0
                if self.board:
                    self.level = self.base_level * c.board_retention
                else:
                    self.level, self.present = 0.0, False
        elif u_replace < weekly_probability(c.replacement_per_year):
            self.level, self.present, self.tenure_weeks = self.base_level, True, 0

    @property
    def protected_time(self) -> float:
        """Share of members' time cost the sponsor protects."""
        return self.level * self.config.protected_time_max

    @property
    def effective_legitimacy(self) -> float:
        """Legitimacy the sponsor lends the community this week (0-1)."""
        return self.legitimacy * self.level


class SupportTeam(mesa.Agent):
    """A support team: coaches coordinators and runs the platform for several communities."""

    def __init__(self, model: mesa.Model, config: Any) -> None:
        super().__init__(model)
        self.staff = config.staff
        self.communities_served = config.communities_served
        self.platform_quality = config.platform_quality
        self.coaching_rate = config.coaching_rate

    @property
    def coaching_fte(self) -> float:
        """Coaching capacity this community gets (FTE), shared across communities served."""
        return self.staff / self.communities_served

    def step(self) -> None:
        gain = min(1.0, self.coaching_rate * self.coaching_fte)
        for coordinator in self.model.agents_by_type.get(Coordinator, []):
            coordinator.coach(gain)

"""Practice building: active, diverse cores add to the repertoire, which lifts what can be known.

Each week the core adds a Poisson number of items (tools, standards, stories) with mean

    build_rate * n_core * diversity * mean_core_knowledge * (1 + curation + joint_project)

where ``diversity`` is the Gini-Simpson index of the core's organizations (1 - sum of squared
shares): a core from one organization builds little that others can use (Wenger, McDermott &
Snyder 2002 on the practice dimension). The knowledge ceiling of members rises with the
repertoire R: ``base + (1 - base) * R / (R + half_repertoire)``.
"""

from __future__ import annotations

import numpy as np

from ..compiled import kernel, pairwise_sum
from .participation import CORE


@kernel
def diversity(orgs_of_core):  # pragma: no cover - compiled
    """Gini-Simpson diversity of organizations among core members (0 if none)."""
    if orgs_of_core.size == 0:
        return 0.0
    counts = np.bincount(orgs_of_core)  # same counts, in the same order, as np.unique's
    shares = counts[counts > 0] / orgs_of_core.size
    return 1.0 - pairwise_sum(shares * shares)


@kernel
def core_profile(membership, knowledge, org):  # pragma: no cover - compiled
    """The core: its size, its mean knowledge (0 if it is empty) and its :func:`diversity`."""
    core = np.flatnonzero(membership == CORE)
    if core.size == 0:
        return 0, 0.0, 0.0
    return core.size, pairwise_sum(knowledge[core]) / core.size, diversity(org[core])


def expected_items(
    n_core: int, core_diversity: float, mean_core_knowledge: float, build_rate: float, boost: float
) -> float:
    """Mean number of repertoire items the core adds this week."""
    return build_rate * n_core * core_diversity * mean_core_knowledge * (1.0 + boost)


def knowledge_ceiling(repertoire: float, base_ceiling: float, half_repertoire: float) -> float:
    """What a member can know, given the community's repertoire (items)."""
    return base_ceiling + (1.0 - base_ceiling) * repertoire / (repertoire + half_repertoire)

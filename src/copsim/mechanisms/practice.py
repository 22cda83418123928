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


def diversity(orgs_of_core: np.ndarray) -> float:
    """Gini-Simpson diversity of organizations among core members (0 if none)."""
    if orgs_of_core.size == 0:
        return 0.0
    counts = np.bincount(orgs_of_core)  # same counts, in the same order, as np.unique's
    counts = counts[counts > 0]
    shares = counts / counts.sum()
    return float(1.0 - np.sum(shares * shares))


def expected_items(
    n_core: int, core_diversity: float, mean_core_knowledge: float, build_rate: float, boost: float
) -> float:
    """Mean number of repertoire items the core adds this week."""
    return build_rate * n_core * core_diversity * mean_core_knowledge * (1.0 + boost)


def knowledge_ceiling(repertoire: float, base_ceiling: float, half_repertoire: float) -> float:
    """What a member can know, given the community's repertoire (items)."""
    return base_ceiling + (1.0 - base_ceiling) * repertoire / (repertoire + half_repertoire)

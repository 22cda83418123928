"""Practice building: active, diverse cores add to the repertoire, which lifts what can be known.

Each week a community's core adds a Poisson number of items (tools, standards, stories) with mean

    build_rate * n_core * diversity * mean_core_knowledge * (1 + curation + joint_project / 2) * vitality

where ``diversity`` is the Gini-Simpson index of the core's organizations (1 - sum of squared
shares): a core from one organization builds little that others can use (Wenger, McDermott &
Snyder 2002 on the practice dimension); the coordinator's curation and joint projects add to it
(the project's weight of one half is a guess). The knowledge ceiling of members rises with the
repertoire R: ``base + (1 - base) * R / (R + half_repertoire)``.

Every quantity is per replicate.
"""

from __future__ import annotations

import numpy as np

from ..config import PracticeConfig
from ..replicates import total_by


def core_profile(
    is_core: np.ndarray, knowledge: np.ndarray, org: np.ndarray, person_rep: np.ndarray, unit_rep: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per replicate: core size, mean core knowledge (0 without a core) and the Gini-Simpson
    diversity of the core's organizations (0 without a core)."""
    n_replicates = int(unit_rep.max()) + 1
    core = np.flatnonzero(is_core)
    rep = person_rep[core]
    size = total_by(rep, None, n_replicates)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_knowledge = np.where(size > 0, total_by(rep, knowledge[core], n_replicates) / size, 0.0)
        share = total_by(org[core], None, unit_rep.size) / size[unit_rep]
    concentration = total_by(unit_rep, np.where(np.isfinite(share), share * share, 0.0), n_replicates)
    diversity = np.where(size > 0, 1.0 - concentration, 0.0)
    return size, mean_knowledge, diversity


def expected_items(
    n_core: np.ndarray,
    mean_core_knowledge: np.ndarray,
    diversity: np.ndarray,
    curation: np.ndarray,
    joint_project: float,
    vitality: np.ndarray,
    build_rate: float,
) -> np.ndarray:
    """Mean number of repertoire items each community's core adds this week."""
    boost = curation + 0.5 * joint_project
    return build_rate * n_core * diversity * mean_core_knowledge * (1.0 + boost) * vitality


def knowledge_ceiling(repertoire: np.ndarray, base_ceiling: float, p: PracticeConfig) -> np.ndarray:
    """What a member can know, given the community's repertoire (items)."""
    return base_ceiling + (1.0 - base_ceiling) * repertoire / (repertoire + p.half_repertoire)

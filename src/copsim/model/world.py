"""World builder: organizations, practitioners and the formal network, from the run's generator.

Organizations come from the scenario's organization types (share, sector, level, silo strength,
whether they adopt). Practitioners are laid out contiguously by organization (so per-organization
reductions are ``reduceat`` over slices). The formal network is dense inside an organization and
sparse across, thinned by silo strength and by sector/level distance; validation topologies
(``complete``, ``ring``, ``watts_strogatz``) replace it. Every random draw comes from the
``world`` stream passed in; networkx generators are seeded from that same generator.

Replicates stepped together each build their own world (:func:`build_world`, from their own
world stream); :func:`side_by_side` lays them end to end (:mod:`copsim.model.replicates`).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from .config import LEVELS, SECTORS, CopConfig
from .replicates import Layout, offsets


@dataclass
class World:
    """The static structure of a run: who works where, and who is tied to whom."""

    type_names: list[str]
    org_type: np.ndarray  # int16, per organization
    org_sector: np.ndarray  # int8 index into SECTORS
    org_level: np.ndarray  # int8 index into LEVELS
    org_silo: np.ndarray  # float, 0-1
    org_adopting: np.ndarray  # bool
    org_boundary: np.ndarray  # float 0-1: distance from the sponsor's home organization
    org_start: np.ndarray  # int64, n_orgs + 1 offsets into the practitioner arrays
    practitioner_org: np.ndarray  # int64, sorted
    tie_a: np.ndarray  # formal ties: one end (practitioner), the other end, starting trust
    tie_b: np.ndarray
    tie_trust: np.ndarray

    @property
    def n_organizations(self) -> int:
        return self.org_type.size

    @property
    def n_practitioners(self) -> int:
        return self.practitioner_org.size


def _largest_remainder(shares: np.ndarray, total: int) -> np.ndarray:
    """Integer counts summing to ``total`` proportional to ``shares``."""
    raw = shares / shares.sum() * total
    counts = np.floor(raw).astype(np.int64)
    counts[np.argsort(-(raw - counts), kind="stable")[: total - counts.sum()]] += 1
    return counts


def _organizations(config: CopConfig, rng: np.random.Generator) -> dict[str, np.ndarray]:
    types = config.world.org_types
    names = list(types)
    n_orgs = config.world.n_organizations
    counts = _largest_remainder(np.array([types[t].share for t in names], float), n_orgs)
    adopting_types = [i for i, t in enumerate(names) if types[t].adopting]
    if counts[adopting_types].sum() == 0:  # rounding must not remove every adopting unit
        donor = int(np.argmax(counts))
        counts[donor] -= 1
        counts[adopting_types[0]] += 1
    org_type = np.repeat(np.arange(len(names), dtype=np.int16), counts)
    spec = [types[names[t]] for t in org_type]
    silo_mean = np.array([s.silo for s in spec])
    # silo strength varies around its type's mean: Beta with concentration 20 (guess)
    conc = 20.0
    silo = np.where(
        (silo_mean > 0) & (silo_mean < 1),
        rng.beta(np.clip(silo_mean, 1e-6, 1) * conc, np.clip(1 - silo_mean, 1e-6, 1) * conc),
        silo_mean,
    )
    return {
        "names": names,
        "org_type": org_type,
        "org_sector": np.array([SECTORS.index(s.sector) for s in spec], np.int8),
        "org_level": np.array([LEVELS.index(s.level) for s in spec], np.int8),
        "org_silo": silo,
        "org_adopting": np.array([s.adopting for s in spec], bool),
        "size_weight": np.array([s.size_weight for s in spec]),
        "home": np.array([s.sponsor_home for s in spec], bool),
    }


def _boundary(orgs: dict[str, np.ndarray]) -> np.ndarray:
    """Each organization's distance from the sponsor's home, in [0, 1].

    0 for the home organization; otherwise (1 + [other sector] + [other level]) / 3. Without a
    home organization the sponsor stands outside all of them, measured from the most common
    sector and level.
    """
    sector, level = orgs["org_sector"], orgs["org_level"]
    homes = np.flatnonzero(orgs["home"])
    if homes.size:
        home = homes[0]
        ref_sector, ref_level = sector[home], level[home]
    else:
        home = -1
        ref_sector, ref_level = np.bincount(sector).argmax(), np.bincount(level).argmax()
    dist = (1.0 + (sector != ref_sector) + (level != ref_level)) / 3.0
    if home >= 0:
        dist[home] = 0.0
    return dist


def _sizes(config: CopConfig, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Practitioners per organization: at least one each, the rest by weight x lognormal noise."""
    n_orgs, n = weights.size, config.world.n_practitioners
    w = weights * rng.lognormal(0.0, config.world.size_dispersion, n_orgs)
    return 1 + rng.multinomial(n - n_orgs, w / w.sum())


def _organizational_ties(
    config: CopConfig,
    org: np.ndarray,
    start: np.ndarray,
    orgs: dict[str, np.ndarray],
    rng: np.random.Generator,
):
    n = org.size
    size = np.diff(start)[org]
    # inside: each practitioner names Poisson(d/2) colleagues, so the mean degree is about d
    k = rng.poisson(config.world.within_degree / 2.0, n) * (size > 1)
    i_in = np.repeat(np.arange(n), k)
    offset = (rng.random(i_in.size) * (size[i_in] - 1)).astype(np.int64)
    local = i_in - start[org[i_in]]
    j_in = start[org[i_in]] + np.where(offset >= local, offset + 1, offset)
    # across: candidate pairs thinned by silo strength and sector/level distance
    m = rng.poisson(n * config.world.cross_degree / 2.0)
    i_x, j_x = rng.integers(0, n, m), rng.integers(0, n, m)
    oi, oj = org[i_x], org[j_x]
    silo = orgs["org_silo"]
    distance = (orgs["org_sector"][oi] != orgs["org_sector"][oj]).astype(float) + (
        orgs["org_level"][oi] != orgs["org_level"][oj]
    )
    accept = (1 - silo[oi]) * (1 - silo[oj]) * np.exp(-0.5 * distance)
    keep = (oi != oj) & (rng.random(m) < accept)
    return np.concatenate([i_in, i_x[keep]]), np.concatenate([j_in, j_x[keep]])


def _graph_ties(config: CopConfig, rng: np.random.Generator):
    w = config.world
    rewiring = 0.0 if w.topology == "ring" else w.rewiring
    graph = nx.watts_strogatz_graph(w.n_practitioners, w.ring_neighbours, rewiring, seed=rng)
    edges = np.array(graph.edges(), dtype=np.int64).reshape(-1, 2)
    return edges[:, 0], edges[:, 1]


def build_world(config: CopConfig, rng: np.random.Generator) -> World:
    """Build organizations, practitioners and formal ties for ``config`` from ``rng`` alone."""
    orgs = _organizations(config, rng)
    if config.world.topology in ("ring", "watts_strogatz"):
        sizes = np.ones(config.world.n_organizations, np.int64)
        if sizes.sum() != config.world.n_practitioners:  # small world over practitioners
            sizes = _sizes(config, orgs["size_weight"], rng)
    else:
        sizes = _sizes(config, orgs["size_weight"], rng)
    start = np.zeros(sizes.size + 1, np.int64)
    np.cumsum(sizes, out=start[1:])
    org = np.repeat(np.arange(sizes.size, dtype=np.int64), sizes)

    if config.world.topology == "organizational":
        a, b = _organizational_ties(config, org, start, orgs, rng)
    elif config.world.topology == "complete":
        a = b = np.zeros(0, np.int64)
    else:
        a, b = _graph_ties(config, rng)
    keep = a != b
    a, b = a[keep], b[keep]
    cross = org[a] != org[b]
    mean_silo = 0.5 * (orgs["org_silo"][org[a]] + orgs["org_silo"][org[b]])
    trust = np.where(cross, config.trust.initial_cross * (1 - mean_silo), config.trust.initial_within)
    return World(
        type_names=orgs["names"],
        org_type=orgs["org_type"],
        org_sector=orgs["org_sector"],
        org_level=orgs["org_level"],
        org_silo=orgs["org_silo"],
        org_adopting=orgs["org_adopting"],
        org_boundary=_boundary(orgs),
        org_start=start,
        practitioner_org=org,
        tie_a=a.astype(np.int64),
        tie_b=b.astype(np.int64),
        tie_trust=trust,
    )


def side_by_side(worlds: list[World]) -> tuple[World, Layout]:
    """The replicates' worlds end to end, ids shifted so that none overlap, and where each
    replicate's practitioners and organizations start (:class:`copsim.model.replicates.Layout`)."""
    person_start = offsets([w.n_practitioners for w in worlds])
    unit_start = offsets([w.n_organizations for w in worlds])
    if len(worlds) == 1:
        return worlds[0], Layout(person_start, unit_start)

    def joined(name: str, shift: np.ndarray | None = None) -> np.ndarray:
        parts = [getattr(w, name) for w in worlds]
        if shift is not None:
            parts = [part + at for part, at in zip(parts, shift, strict=False)]
        return np.concatenate(parts)

    org_start = np.concatenate(
        [w.org_start[:-1] + at for w, at in zip(worlds, person_start, strict=False)] + [person_start[-1:]]
    )
    world = World(
        type_names=worlds[0].type_names,
        org_type=joined("org_type"),
        org_sector=joined("org_sector"),
        org_level=joined("org_level"),
        org_silo=joined("org_silo"),
        org_adopting=joined("org_adopting"),
        org_boundary=joined("org_boundary"),
        org_start=org_start,
        practitioner_org=joined("practitioner_org", unit_start),
        tie_a=joined("tie_a", person_start),
        tie_b=joined("tie_b", person_start),
        tie_trust=joined("tie_trust"),
    )
    return world, Layout(person_start, unit_start)

"""Named random streams: one generator per stochastic decision and replicate, all from the seeds.

Following Starsim's common-random-numbers design (``starsim/distributions.py``), every decision
(who retires, who reconsiders membership, whom one meets, whether a partner shares, whether a unit
adopts) draws from its own stream, keyed by a stable name. Two runs that differ in one lever then
differ only where that lever acts: a lever that cannot affect retirements leaves every retirement
draw unchanged. A stream drawn with a fixed shape each week (one uniform per practitioner or per
unit) stays aligned across conditions for the whole run.

Replicates stepped together (:mod:`copsim.model.replicates`) each keep their own generators:
a :class:`Stream` draws replicate *r*'s numbers from replicate *r*'s generator, in the order and
the amounts a run of that replicate alone would draw them, and lays them side by side. So a
replicate's numbers never depend on which other replicates share its batch.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

#: The decisions that draw random numbers. A new decision gets a new name here.
STREAM_NAMES = (
    "world",
    "retirement",
    "hiring",
    "alumni",
    "sponsor",
    "awareness",
    "participation",
    "contacts",
    "sharing",
    "practice",
    "adoption",
)


def stream_key(name: str) -> int:
    """A stable 32-bit key for a stream name (CRC32, identical across processes and platforms)."""
    return zlib.crc32(name.encode("utf-8"))


def stream_generator(seed: int, name: str) -> np.random.Generator:
    """The generator of decision ``name`` in the run with root ``seed``."""
    sequence = np.random.SeedSequence(entropy=int(seed), spawn_key=(stream_key(name),))
    return np.random.Generator(np.random.PCG64(sequence))


class Stream:
    """One decision's generators, one per replicate, drawing side by side.

    Every method takes ``counts`` (how many numbers each replicate draws, one entry per
    replicate) and returns replicate 0's numbers, then replicate 1's, and so on.
    """

    def __init__(self, generators: list[np.random.Generator]) -> None:
        self.generators = generators

    def _each(self, draw, counts: np.ndarray) -> np.ndarray:
        parts = [draw(g, int(c), r) for r, (g, c) in enumerate(zip(self.generators, counts, strict=True))]
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=-1)

    def uniform(self, counts: np.ndarray, rows: int = 1) -> np.ndarray:
        """Uniforms in [0, 1); with ``rows`` > 1, an array of that many rows, each replicate
        filling its columns row by row (as ``generator.random((rows, count))``)."""
        if rows == 1:
            return self._each(lambda g, c, r: g.random(c), counts)
        return self._each(lambda g, c, r: g.random((rows, c)), counts)

    def normal(self, counts: np.ndarray) -> np.ndarray:
        """Standard normal draws."""
        return self._each(lambda g, c, r: g.standard_normal(c), counts)

    def poisson(self, rate: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Poisson counts, one per entry of ``rate`` (each replicate's ``counts`` entries in turn)."""
        start = np.concatenate(([0], np.cumsum(counts)))

        def draw(g: np.random.Generator, c: int, r: int) -> np.ndarray:
            rates = rate[start[r] : start[r] + c]
            # One number (a replicate's count of events this week) draws the same value through
            # numpy's scalar path at a tenth of the array path's fixed cost (about 1 µs, not 12).
            return g.poisson(float(rates[0]), 1) if c == 1 else g.poisson(rates)

        return self._each(draw, counts)

    def beta_by_moments(self, mean: float | np.ndarray, sd: float, counts: np.ndarray) -> np.ndarray:
        """Draws in [0, 1] from Betas with the given means (one, or one per draw) and standard
        deviation (the means themselves when the spread is zero)."""
        total = int(np.sum(counts))
        mean = np.clip(np.broadcast_to(np.asarray(mean, float), (total,)), 1e-6, 1 - 1e-6)
        if sd <= 0:
            return mean.copy()
        var = np.minimum(sd * sd, mean * (1 - mean) * 0.999)
        nu = mean * (1 - mean) / var - 1
        a, b = mean * nu, (1 - mean) * nu
        start = np.concatenate(([0], np.cumsum(counts)))
        return self._each(
            lambda g, c, r: g.beta(a[start[r] : start[r] + c], b[start[r] : start[r] + c]), counts
        )


class Streams:
    """The named streams of one run, or of several replicates stepped together.

    ``streams.adoption`` is the stream of the adoption decision; ``streams.seeds[r]`` the root
    seed of replicate *r*.
    """

    def __init__(self, seeds: Sequence[int]) -> None:
        self.seeds = [int(s) for s in seeds]
        for name in STREAM_NAMES:
            setattr(self, name, Stream([stream_generator(seed, name) for seed in self.seeds]))

    def __getattr__(self, name: str) -> Stream:  # only reached for unknown names
        raise AttributeError(f"no random stream named {name!r}; known: {', '.join(STREAM_NAMES)}")


def replicate_seeds(root_seed: int, replicates: int) -> list[int]:
    """Seeds of replicates 0..n-1, spawned from one root ``SeedSequence``.

    Replicate *r* gets the same seed whatever the number of replicates, the scenario or the
    condition, so replicate *r* of two conditions forms a common-random-numbers pair.
    """
    children = np.random.SeedSequence(int(root_seed)).spawn(int(replicates))
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]

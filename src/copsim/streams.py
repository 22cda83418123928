"""Named random streams: one generator per stochastic decision, all derived from the run's seed.

Following Starsim's common-random-numbers design (``starsim/distributions.py``), every decision
(who retires, who reconsiders membership, whom one meets, whether a partner shares, whether a unit
adopts) draws from its own stream, keyed by a stable name. Two runs that differ in one lever
then differ only where that lever acts: a lever that cannot affect retirements leaves every
retirement draw unchanged. Streams that are drawn with a fixed shape each week (one uniform per
practitioner, per unit) stay aligned across conditions for the whole run.
"""

from __future__ import annotations

import zlib

import numpy as np

from .compiled import generator_handle

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


class Streams:
    """The run's named generators. ``streams.adoption`` is the stream of the adoption decision."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        for name in STREAM_NAMES:
            seq = np.random.SeedSequence(entropy=self.seed, spawn_key=(stream_key(name),))
            setattr(self, name, np.random.Generator(np.random.PCG64(seq)))
        self._handles: dict[str, np.ndarray] = {}

    def handle(self, name: str) -> np.ndarray:
        """The stream ``name`` for compiled loops (:func:`copsim.compiled.generator_handle`).

        Draws through it advance ``getattr(self, name)`` itself; it lives as long as ``self``.
        """
        handle = self._handles.get(name)
        if handle is None:
            handle = self._handles[name] = generator_handle(getattr(self, name))
        return handle

    def __getstate__(self) -> dict:
        """Copies and pickles drop the handles: they hold this object's addresses."""
        return {**self.__dict__, "_handles": {}}

    def __getattr__(self, name: str) -> np.random.Generator:  # only reached for unknown names
        raise AttributeError(f"no random stream named {name!r}; known: {', '.join(STREAM_NAMES)}")


def replicate_seeds(root_seed: int, replicates: int) -> list[int]:
    """Seeds of replicates 0..n-1, spawned from one root ``SeedSequence``.

    Replicate *r* gets the same seed whatever the number of replicates, the scenario or the
    condition, so replicate *r* of two conditions forms a common-random-numbers pair.
    """
    children = np.random.SeedSequence(int(root_seed)).spawn(int(replicates))
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]

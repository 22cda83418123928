"""The background job behind **Run**: both ensembles on the same seeds, with progress.

A job runs :func:`copsim.simulate_ensemble` for the chosen configuration and then for its
dissemination-only baseline (same root seed, hence the same replicate seeds), then one more run
(replicate 0's seed) to draw the network picture. It runs in its own thread so the page stays
responsive; the page polls :attr:`EnsembleJob.fraction`. A job object belongs to one browser
session (it lives in that session's state), so results never cross sessions.

At most :data:`MAX_CONCURRENT` jobs simulate at once across all sessions (the others wait,
shown as "waiting"), so many users cannot oversubscribe the machine's cores.
"""

from __future__ import annotations

import logging
import os
import threading
import traceback
from dataclasses import dataclass

from ..api import simulate_ensemble
from ..config import CopConfig
from .levers import baseline_of
from .network_picture import NetworkSnapshot, snapshot_network
from .results import Comparison

MAX_CONCURRENT = max(1, os.cpu_count() or 1)
_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT)


@dataclass
class JobOutput:
    comparison: Comparison
    network: NetworkSnapshot


class EnsembleJob:
    """One run request: ``replicates`` runs with the community and the same on the baseline."""

    def __init__(self, scenario: str, config: CopConfig, overrides: list[str], replicates: int) -> None:
        self.scenario = scenario
        self.config = config
        self.overrides = list(overrides)
        self.replicates = replicates
        self.total = 2 * replicates + 1  # + one run for the network picture
        self.done = 0
        self.state = "waiting"  # waiting -> running -> done | failed
        self.output: JobOutput | None = None
        self.error: str | None = None
        self._thread = threading.Thread(target=self._work, name=f"copsim-job-{scenario}", daemon=True)

    @property
    def fraction(self) -> float:
        return self.done / self.total

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    def start(self) -> EnsembleJob:
        self._thread.start()
        return self

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _work(self) -> None:
        logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
        with _SLOTS:
            self.state = "running"
            try:
                n = self.replicates
                community = simulate_ensemble(self.config, n, progress=lambda d, _t: self._set(d))
                baseline = simulate_ensemble(
                    baseline_of(self.config), n, progress=lambda d, _t: self._set(n + d)
                )
                network = snapshot_network(self.config, community.seeds[0])
                self._set(self.total)
                comparison = Comparison(self.scenario, self.overrides, n, community, baseline)
                self.output = JobOutput(comparison, network)
                self.state = "done"
            except Exception as exc:  # shown on the page; the server goes on
                self.error = f"{type(exc).__name__}: {exc}"
                logging.getLogger(__name__).error("job failed\n%s", traceback.format_exc())
                self.state = "failed"

    def _set(self, done: int) -> None:
        self.done = done

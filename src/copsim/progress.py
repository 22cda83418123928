"""Progress bars for copsim's command-line tools: one style (tqdm), on the terminal only.

Every long-running command (``copsim-run``, its sweeps, ``copsim-calibrate``,
``copsim-sensitivity``, ``copsim-discover --run``) shows its progress the same way: a tqdm bar
on standard error with what is counted (weeks, runs, conditions, trials), elapsed time and time
left. When standard error is not a terminal (a log file, a pipe, a CI job) the bars are quiet,
so logs hold only the commands' own lines. ``COPSIM_PROGRESS=always`` draws them anyway (say, to
follow a cluster job's log), ``COPSIM_PROGRESS=never`` silences them on a terminal too.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from tqdm import tqdm

#: environment variable: ``always`` or ``never`` draw progress bars (default: on a terminal only)
PROGRESS_ENV = "COPSIM_PROGRESS"


def _disabled() -> bool | None:
    """tqdm's ``disable``: None means off when standard error is not a terminal."""
    choice = os.environ.get(PROGRESS_ENV, "").strip().lower()
    return {"always": False, "never": True}.get(choice)


def bar(total: int, desc: str, unit: str, initial: int = 0, **kwargs: Any) -> tqdm:
    """A progress bar on standard error, disabled when that is not a terminal."""
    return tqdm(
        total=total,
        initial=initial,
        desc=desc,
        unit=unit,
        file=sys.stderr,
        disable=_disabled(),
        dynamic_ncols=True,
        mininterval=0.5,
        smoothing=0.1,
        **kwargs,
    )


class Ticker:
    """A ``progress(done, total)`` callback (the API's :data:`copsim.api.Progress`) drawing a bar.

    >>> with Ticker("copsim-run", "week") as tick:          # doctest: +SKIP
    ...     copsim.simulate(config, progress=tick)
    """

    def __init__(self, desc: str, unit: str) -> None:
        self.desc, self.unit = desc, unit
        self._bar: tqdm | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None or self._bar.total != total:
            self.close()
            self._bar = bar(total, self.desc, self.unit)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Ticker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

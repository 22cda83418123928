"""Fit chosen parameters of a scenario to an observed adoption series with Optuna.

The observed series is a CSV with a ``year`` column (years since the start; calendar years such
as 1998, 1999, ... are shifted so the first row is year 0) and either ``adopters`` (number of
adopting units that have adopted) or ``adoption_share`` (0-1). Each Optuna trial runs the
scenario with the trial's parameter values for ``replicates`` replicates — always the same
replicate seeds (common random numbers, so trials differ only by their parameters) — averages
the model series over the replicates at the observed years, and scores the fit by the root mean
squared error between that replicate-averaged series and the data (in the data's own units).
The sampler is Optuna's TPE with a fixed seed, so a calibration is reproducible.

The hydra-optuna-sweeper pins Optuna < 3, so Optuna is used directly.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import optuna
import pandas as pd

from ..api import simulate_ensemble
from ..model.config import (
    ConfigError,
    CopConfig,
    describe_parameters,
    hint_of,
    load_config,
    unknown_key,
    with_value,
)

WEEKS_PER_YEAR = 52.0
KINDS = ("adopters", "adoption_share")

#: search ranges for the parameters people usually calibrate (the schema's ranges are far wider)
DEFAULT_RANGES: dict[str, tuple[float, float]] = {
    "adoption.p": (0.001, 0.2),
    "adoption.q": (0.01, 1.5),
    "exchange.formal_contact_rate": (0.0, 1.0),
    "exchange.absorptive_capacity": (0.01, 0.5),
    "participation.time_cost": (0.0, 5.0),
    "participation.intercept": (-5.0, 3.0),
    "coordinator.fte": (0.0, 1.0),
    "sponsor.level": (0.0, 1.0),
}


@dataclass(frozen=True)
class SearchParameter:
    """One calibrated parameter: dotted key, search range, and whether to search on a log scale."""

    key: str
    lo: float
    hi: float
    log: bool
    integer: bool


@dataclass
class Observations:
    """An observed series: years since the start, values, and which outcome they are."""

    years: np.ndarray
    values: np.ndarray
    kind: str
    year_offset: float

    @property
    def weeks(self) -> np.ndarray:
        return np.rint(self.years * WEEKS_PER_YEAR).astype(int)


@dataclass
class Calibration:
    """The result: best parameters and loss, every trial, and the model's fitted series."""

    best: dict[str, float]
    best_loss: float
    trials: pd.DataFrame  # one row per trial: number, loss, one column per parameter
    observations: Observations
    config: CopConfig
    replicates: int
    fitted: pd.DataFrame  # week, replicate, value for the best parameters

    def good_fits(self, share: float = 0.1) -> pd.DataFrame:
        """The best ``share`` of trials (at least one), best first: the spread of good fits."""
        k = max(1, math.ceil(share * len(self.trials)))
        return self.trials.nsmallest(k, "loss").reset_index(drop=True)


def load_observations(path: str | Path) -> Observations:
    """Read and check an observed series; raise ConfigError (one line) when it is unusable."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"data: {str(path)!r} is a folder; give a CSV file with year and adopters")
    try:
        data = pd.read_csv(path)
    except FileNotFoundError:
        raise ConfigError(f"data: {str(path)!r} does not exist; give a CSV with year and adopters") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"data: {str(path)!r} is not a readable CSV ({reason})") from None
    data.columns = [str(c).strip() for c in data.columns]
    kinds = [k for k in KINDS if k in data.columns]
    if "year" not in data.columns or len(kinds) != 1:
        raise ConfigError(
            f"data: columns {list(data.columns)} are not allowed; need 'year' and exactly one of "
            f"{', '.join(KINDS)}"
        )
    kind = kinds[0]
    try:
        years = data["year"].astype(float).to_numpy()
        values = data[kind].astype(float).to_numpy()
    except ValueError:
        raise ConfigError(f"data: 'year' and {kind!r} must be numbers") from None
    if years.size < 3 or not np.all(np.isfinite(years)) or not np.all(np.isfinite(values)):
        raise ConfigError("data: need at least 3 rows of finite year and value")
    if np.any(np.diff(years) <= 0):
        raise ConfigError("data: 'year' must increase strictly from row to row")
    if np.any(values < 0) or (kind == "adoption_share" and np.any(values > 1)):
        raise ConfigError(
            f"data: {kind} out of range; allowed 0 to {'1' if kind == 'adoption_share' else 'inf'}"
        )
    offset = float(years[0]) if years[0] >= 1000 else 0.0  # calendar years: first row is year 0
    years = years - offset
    if years[0] < 0:
        raise ConfigError("data: 'year' must be years since the start (>= 0) or calendar years")
    return Observations(years, values, kind, offset)


#: keys that are not fitted: the seed picks the runs, the data's last year sets the horizon
NOT_FITTED = {
    "seed": "the random seed picks the runs; it is not fitted",
    "horizon_weeks": "the horizon is set from the data's last year",
    "scenario": "the scenario is --scenario",
}


def _schema_row(key: str, schema: dict[str, dict], config: CopConfig | None) -> dict | None:
    """The parameter row of ``key``; organization types by their name in ``config``
    (``world.org_types.state_dot.silo``)."""
    parts = key.split(".")
    if key.startswith("world.org_types.") and len(parts) == 4:
        if parts[2] == "NAME" or (config is not None and parts[2] not in config.world.org_types):
            names = ", ".join(config.world.org_types) if config is not None else "the scenario's types"
            raise ConfigError(
                f"params: {key!r} names no organization type of the scenario; its types: {names}"
            )
        if parts[3] == "share":
            raise ConfigError(f"params: {key!r}: type shares must sum to 1, so one cannot be fitted alone")
        return schema.get(f"world.org_types.NAME.{parts[3]}")
    return schema.get(key)


def _first_key(group: str) -> str:
    hint = hint_of(group)
    return dataclasses.fields(hint)[0].name


def parse_parameters(spec: str | list[str], config: CopConfig | None = None) -> list[SearchParameter]:
    """Parse ``adoption.p,adoption.q`` or ``adoption.p:0.001:0.1,...`` into search parameters.

    Without a range, a parameter uses :data:`DEFAULT_RANGES` or else its schema range. A range
    with lo > 0 and hi/lo >= 10 is searched on a log scale. Unknown keys, the seed and the
    horizon, non-numeric parameters and ranges outside the schema's are ConfigErrors.
    ``config`` (the scenario) lets organization types be named (``world.org_types.NAME.silo``).
    """
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    schema = {row["key"]: row for row in describe_parameters()}
    params: list[SearchParameter] = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        key, *bounds = item.split(":")
        if key in NOT_FITTED:
            raise ConfigError(f"params: {key!r} cannot be calibrated; {NOT_FITTED[key]}")
        row = _schema_row(key, schema, config)
        if row is None and dataclasses.is_dataclass(hint_of(key)):
            raise ConfigError(f"params: {key!r} is a group of keys; name one, e.g. {key}.{_first_key(key)}")
        if row is None:
            raise ConfigError(f"params: {unknown_key(key)}")
        if (
            isinstance(row["default"], bool)
            or not isinstance(row["default"], int | float)
            or row["lo"] is None
        ):
            raise ConfigError(f"params: {key!r} is not numeric; only numeric parameters can be calibrated")
        if bounds:
            try:
                lo, hi = (float(b) for b in bounds)
            except (ValueError, TypeError):
                raise ConfigError(f"params: {item!r} is not allowed; write key or key:lo:hi") from None
        else:
            lo, hi = DEFAULT_RANGES.get(key, (row["lo"], row["hi"]))
        if not (row["lo"] <= lo < hi <= row["hi"]):
            raise ConfigError(
                f"params: {key} range {lo:g} to {hi:g} is out of range; "
                f"allowed within {row['lo']} to {row['hi']}"
            )
        integer = isinstance(row["default"], int)
        params.append(SearchParameter(key, lo, hi, lo > 0 and hi / lo >= 10 and not integer, integer))
    if not params:
        raise ConfigError("params: empty; name at least one parameter, e.g. adoption.p,adoption.q")
    if len({p.key for p in params}) != len(params):
        raise ConfigError("params: a parameter is named twice")
    return params


def adopting_units(config: CopConfig) -> int:
    """How many adopting units the scenario's world has, as the world builder makes it."""
    from ..model.world import build_world

    return int(build_world(config, np.random.default_rng(0)).org_adopting.sum())


def check_horizon(observations: Observations) -> int:
    """The horizon the data need (their last year, in weeks), within the longest copsim runs."""
    hi = next(f.metadata["hi"] for f in dataclasses.fields(CopConfig) if f.name == "horizon_weeks")
    weeks = int(observations.weeks.max())
    if weeks > hi:
        last = observations.years.max() + observations.year_offset
        raise ConfigError(
            f"data: the last year ({last:g}) is {weeks:,} weeks after the first; copsim runs at most "
            f"{hi:,} weeks (about {hi / WEEKS_PER_YEAR:,.0f} years)"
        )
    return max(1, weeks)


def check_adopters(observations: Observations, config: CopConfig) -> None:
    """No more adopters in the data than the scenario has adopting units (ConfigError otherwise)."""
    if observations.kind == "adopters":
        units = adopting_units(config)
        most = float(observations.values.max())
        if most > units:
            raise ConfigError(
                f"data: {most:g} adopters, but scenario {config.scenario} has {units} adopting units; "
                "give adoption_share, or a scenario (or --set world.n_organizations=...) with more"
            )


def model_series(config: CopConfig, obs: Observations, replicates: int) -> pd.DataFrame:
    """Run ``replicates`` replicates and return the observed outcome per week and replicate."""
    ens = simulate_ensemble(config, replicates)
    return ens.timeseries[["week", "replicate", obs.kind]].rename(columns={obs.kind: "value"})


def replicate_mean_at(series: pd.DataFrame, weeks: np.ndarray) -> np.ndarray:
    """Replicate-averaged model value at each of ``weeks``."""
    return series.groupby("week")["value"].mean().reindex(weeks).to_numpy()


def rmse(model: np.ndarray, observed: np.ndarray) -> float:
    return float(np.sqrt(np.mean((model - observed) ** 2)))


def _with(config: CopConfig, values: dict[str, float]) -> CopConfig:
    """A copy of ``config`` with dotted-key ``values`` set (validated by the caller's simulate)."""
    for key, value in values.items():
        changed = with_value(config, key, value)
        if changed is None:
            raise ConfigError(f"params: {key!r} is not a single model parameter")
        config = changed
    return config


def calibrate(
    scenario: str,
    observations: Observations,
    parameters: list[SearchParameter],
    trials: int = 60,
    replicates: int = 2,
    sampler_seed: int = 0,
    overrides: list[str] | tuple[str, ...] = (),
    progress=None,
) -> Calibration:
    """Fit ``parameters`` of ``scenario`` to ``observations`` (see the module docstring).

    ``overrides`` are fixed dotted settings applied before fitting (e.g. a smaller world);
    the horizon is set to the last observed year. ``progress(done, total)`` is called per trial.
    """
    if trials < 1 or replicates < 1:
        raise ConfigError("trials/replicates: must be 1 or more")
    horizon = int(observations.weeks.max())
    if horizon < 1:
        raise ConfigError("data: the last year must be after the first")
    base = load_config(scenario, [*overrides, f"horizon_weeks={horizon}"])
    weeks = observations.weeks

    def objective(trial: optuna.Trial) -> float:
        values = {}
        for p in parameters:
            if p.integer:
                values[p.key] = trial.suggest_int(p.key, int(p.lo), int(p.hi))
            else:
                values[p.key] = trial.suggest_float(p.key, p.lo, p.hi, log=p.log)
        series = model_series(_with(base, values), observations, replicates)
        loss = rmse(replicate_mean_at(series, weeks), observations.values)
        if progress is not None:
            progress(trial.number + 1, trials)
        return loss

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():  # multivariate TPE is flagged experimental in some Optuna versions
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        # multivariate: p and q trade off along a valley, which independent sampling searches badly
        sampler = optuna.samplers.TPESampler(seed=sampler_seed, multivariate=True)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    study.optimize(objective, n_trials=trials)
    rows = [{"trial": t.number, "loss": t.value, **t.params} for t in study.trials]
    best = dict(study.best_params)
    fitted = model_series(_with(base, best), observations, replicates)
    return Calibration(
        best, float(study.best_value), pd.DataFrame(rows), observations, base, replicates, fitted
    )

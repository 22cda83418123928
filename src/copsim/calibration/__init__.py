"""Calibration: fit model parameters to an observed adoption series (``copsim-calibrate``).

:func:`calibrate` runs an Optuna TPE search with a fixed sampler seed, scoring each trial by the
RMSE between the data and the replicate-averaged model series; :func:`write_results` writes the
best parameters as a scenario override, the fit figure and the spread of good fits.
"""

from .fit import Calibration, Observations, calibrate, load_observations, parse_parameters
from .output import write_results

__all__ = [
    "Calibration",
    "Observations",
    "calibrate",
    "load_observations",
    "parse_parameters",
    "write_results",
]

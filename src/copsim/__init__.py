"""copsim: agent-based simulation of community-of-practice initiatives in government.

Public API::

    import copsim
    cfg = copsim.load_config("rumble_strips", ["coordinator.fte=0.5"])
    run = copsim.simulate(cfg)                     # RunResult: .timeseries, .summary
    ens = copsim.simulate_ensemble(cfg, replicates=10)
"""

from importlib.metadata import PackageNotFoundError, version

from .api import EnsembleResult, Network, RunResult, simulate, simulate_ensemble
from .model.config import ConfigError, CopConfig, load_config, scenario_names

try:
    __version__ = version("copsim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+local"

__all__ = [
    "ConfigError",
    "CopConfig",
    "EnsembleResult",
    "Network",
    "RunResult",
    "__version__",
    "load_config",
    "scenario_names",
    "simulate",
    "simulate_ensemble",
    "validate",
]

"""The model core: configuration, world, ties, people, agents, the weekly rules and outcomes.

Everything outside this package enters it through :mod:`copsim.api` (``simulate``,
``simulate_ensemble``) and reads its configuration through :mod:`copsim.model.config`.
"""

from .config import ConfigError, CopConfig, load_config
from .model import CopModel

__all__ = ["ConfigError", "CopConfig", "CopModel", "load_config"]

"""Hydra search-path plugin: the user's own copsim config tree on copsim-run's search path.

Hydra finds search-path plugins in the ``hydra_plugins`` namespace package and lets each add
config trees before any config is composed — for runs, ``--cfg``, ``--help`` and shell
completion alike. This one adds the user's own scenarios and experiments
(``~/.config/copsim/scenarios`` and ``experiments``, see :func:`copsim.composition.user_tree`)
after copsim's own tree, and only to copsim's app: other Hydra apps in the same environment are
left as they are.
"""

from __future__ import annotations

from pathlib import Path

from hydra.core.config_search_path import ConfigSearchPath
from hydra.plugins.search_path_plugin import SearchPathPlugin


def _is_copsim(search_path: ConfigSearchPath) -> bool:
    """Whether the app's own config tree is copsim's (``copsim/conf`` or a checkout's ``conf``)."""
    for element in search_path.get_path():
        if element.provider == "main" and element.path:
            root = Path(element.path.removeprefix("file://"))
            return (root / "config.yaml").is_file() and (root / "hydra" / "help" / "copsim.yaml").is_file()
    return False


class CopsimUserConfig(SearchPathPlugin):
    def manipulate_search_path(self, search_path: ConfigSearchPath) -> None:
        if not _is_copsim(search_path):
            return
        from copsim.composition import user_tree

        tree = user_tree()
        if tree is not None:
            search_path.append(provider="copsim-user", path=f"file://{tree}")

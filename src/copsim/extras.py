"""The optional parts of copsim and what to install for each: one line instead of an ImportError.

copsim's core needs only its dependencies; the dashboard, scenario discovery and the cluster
launchers come with extras (``pip install 'copsim[app]'``, ``[discovery]``, ``[cluster]``).
A command that needs a missing extra says which, in one line, and exits with status 2.
"""

from __future__ import annotations

import importlib.util
import sys

#: extra -> (what it is for, the modules it brings)
EXTRAS = {
    "app": ("the what-if dashboard", ("streamlit",)),
    "discovery": ("scenario discovery (PRIM) and the EMA workbench model", ("ema_workbench",)),
    "cluster": ("the Ray and SLURM launchers", ("hydra_plugins.hydra_ray_launcher", "ray")),
}

#: Hydra launchers that come with an extra
LAUNCHER_EXTRAS = {"ray": "cluster", "submitit_slurm": "cluster", "submitit_local": "cluster"}


def missing(extra: str) -> list[str]:
    """The modules of ``extra`` that are not installed."""
    found = []
    for module in EXTRAS[extra][1]:
        try:
            spec = importlib.util.find_spec(module)
        except ModuleNotFoundError:  # a parent package is missing
            spec = None
        if spec is None:
            found.append(module)
    return found


def install_hint(extra: str) -> str:
    """``the 'app' extra (the what-if dashboard): pip install 'copsim[app]'``."""
    return f"the '{extra}' extra ({EXTRAS[extra][0]}): pip install 'copsim[{extra}]'"


def require(extra: str, tool: str) -> None:
    """Exit with one line naming the extra to install when ``extra`` is missing."""
    if missing(extra):
        print(f"{tool}: error: this needs {install_hint(extra)}", file=sys.stderr)
        sys.exit(2)


def app() -> None:
    """Entry point of ``copsim-app``: the dashboard, once its extra is there (``--help`` works
    without it)."""
    if not {"-h", "--help"} & set(sys.argv[1:]):
        require("app", "copsim-app")
    try:
        from .app.cli import main
    except ModuleNotFoundError:
        require("app", "copsim-app")
        raise
    main()

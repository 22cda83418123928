"""How ``copsim-run`` reads its command line: Hydra's parser, Hydra's composition, copsim's strict types.

A command line is read exactly as Hydra reads it (its own argument parser: ``-m``, ``--cfg job``,
``-cd DIR``, ``-sc install=bash``, ...), and a config is composed by Hydra from the config tree
(``conf/``: ``config.yaml``, the ``scenario`` and ``experiment`` groups, ``hydra/`` settings),
the user's own scenarios and experiments (:func:`copsim.model.config.user_scenario_dir`,
:func:`~copsim.model.config.user_experiment_dir`; put on every copsim-run's search path by the
plugin in ``hydra_plugins/copsim_searchpath``), ``--config-dir`` and any scenario or experiment
given as a file (see :class:`CommandLine`). What Hydra alone would let through is
refused here, before anything runs, with one line naming the key:

* strict types for every value typed on the command line or read from a scenario or experiment
  file (:func:`copsim.model.config.coerce`: ``sponsor.mandate=yes`` or ``=2`` is not a boolean);
* the run options (:class:`RunConfig`), their ranges, and no sweep where one value is needed.

The schema Hydra composes against is :class:`RunConfig`: every model key plus the run options
and an experiment's description, so ``--cfg job`` shows a composed experiment as it will run.
"""

from __future__ import annotations

import argparse
import atexit
import dataclasses
import shutil
import tempfile
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from .analysis.costs import CostRates
from .model.config import (
    ConfigError,
    CopConfig,
    already_there,
    coerce,
    coerce_group,
    conf_dir,
    group_folders,
    hint_of,
    is_path,
    param,
    parse_overrides,
    register_configs,
    unknown_key,
    validate_fields,
)

#: the config groups a user picks from (``scenario=NAME``, ``+experiment=NAME``)
GROUPS = ("scenario", "experiment")


@dataclass
class ExperimentInfo:
    """What a named experiment says about itself (its ``experiment:`` block)."""

    question: str = param("", doc="the question the experiment answers")
    outcomes: list[str] = field(default_factory=list, metadata={"doc": "its headline outcomes"})


USD_PER_FTE_YEAR = "US dollars per FTE-year"
PAY_SOURCE = "OPM salary table 2024-DCB, {grade} step 1, + OMB A-76 fringe 36.25 %"


@dataclass
class CostOptions:
    """Loaded annual costs per FTE that price a run's recorded time in dollars (run option ``costs``).

    With ``costs.enabled=true`` (or any rate given) every run gains the cost columns of
    :data:`copsim.analysis.costs.COST_COLUMNS`, and a sweep's condition table the paired cost per
    extra adopter-year. Prices never change a simulation. Defaults: :class:`~copsim.analysis.costs.CostRates`.
    """

    enabled: bool = param(False, doc="add cost columns in dollars to runs and conditions")
    coordinator: float = param(
        CostRates.coordinator, 0, 1e7, unit=USD_PER_FTE_YEAR, source=PAY_SOURCE.format(grade="GS-13"),
        doc="loaded annual cost of a coordinator FTE",
    )  # fmt: skip
    support_staff: float = param(
        CostRates.support_staff, 0, 1e7, unit=USD_PER_FTE_YEAR, source=PAY_SOURCE.format(grade="GS-12"),
        doc="loaded annual cost of a support-team FTE",
    )  # fmt: skip
    sponsor: float = param(
        CostRates.sponsor, 0, 1e7, unit=USD_PER_FTE_YEAR, source=PAY_SOURCE.format(grade="GS-15"),
        doc="loaded annual cost of the sponsor's FTE",
    )  # fmt: skip
    sponsor_fte_at_full: float = param(
        CostRates.sponsor_fte_at_full, 0, 1, unit="FTE", doc="the sponsor's time at full sponsorship"
    )

    def rates(self) -> CostRates:
        """The rates as :class:`~copsim.analysis.costs.CostRates`."""
        return CostRates(self.coordinator, self.support_staff, self.sponsor, self.sponsor_fte_at_full)


@dataclass
class RunConfig(CopConfig):
    """The schema ``copsim-run`` composes: every model key plus the run options.

    Run options are not model parameters: they say how many replicates to run and where the
    results go. A sweep job also gets ``condition`` (its index in the plan) and ``sweep_dir``.
    """

    replicates: int = param(
        1, 1, 10_000, unit="replicates", doc="runs per condition (seeds spawned from seed)"
    )
    baseline: bool = param(True, doc="also run the dissemination-only baseline on the same seeds")
    out: str | None = param(None, doc="results folder (a single run: hydra.run.dir; a sweep: sweep_dir)")
    sweep_dir: str | None = param(None, doc="a sweep's results folder (resume by naming it again)")
    force: bool = param(False, doc="a sweep reruns conditions that are already complete")
    memory_limit: str | None = param(
        None, doc="refuse runs whose estimated memory exceeds this (e.g. 16GB), 'none' for no check"
    )
    costs: CostOptions = field(default_factory=CostOptions)
    experiment: ExperimentInfo = field(default_factory=ExperimentInfo)
    condition: int = param(-1, -1, 10**9, doc="a sweep job's condition (set by copsim-run -m)")


#: the run options: what RunConfig adds to the model keys, besides the experiment block and job keys
RUN_OPTIONS = ("replicates", "baseline", "out", "sweep_dir", "force", "memory_limit", "costs")
#: keys a sweep job gets from copsim itself, never from the user
JOB_KEYS = ("condition",)


def cost_rates(options: dict[str, Any]) -> CostRates | None:
    """The rates to price runs at, from checked run options; None when no costs were asked for."""
    costs = options.get("costs") or {}
    return CostOptions(**costs).rates() if costs.get("enabled") else None


def is_run_option(override: str) -> bool:
    """An override of a run option (``replicates=5``, ``costs.coordinator=150000``), not of the model."""
    return override.lstrip("+~").partition("=")[0].partition(".")[0] in RUN_OPTIONS


def register() -> None:
    """Register :class:`RunConfig` with Hydra's ConfigStore as ``copsim_schema`` (conf/config.yaml)."""
    register_configs(RunConfig)


def run_options(data: dict[str, Any]) -> dict[str, Any]:
    """The run options of a composed config (or of a mapping of them), strictly typed and checked.

    ``costs`` comes back as a mapping of :class:`CostOptions`, enabled when any rate differs
    from its default (a rate given is a request for dollars); see :func:`cost_rates`.
    """
    typed = coerce_group({k: data.get(k) for k in RUN_OPTIONS if k in data}, RunConfig)
    if "costs" in typed:
        validate_fields(typed["costs"], CostOptions, "costs.")
        costs = CostOptions(**typed["costs"])
        costs.enabled = costs.enabled or costs.rates() != CostRates()
        typed["costs"] = dataclasses.asdict(costs)
    for key in ("out", "sweep_dir"):
        if typed.get(key) is not None and not str(typed[key]).strip():
            raise ConfigError(f"{key}: empty; give a directory")
    validate_fields(typed, RunConfig)
    if typed.get("memory_limit") is not None:
        from .experiments.limits import parse_size

        parse_size("memory_limit", typed["memory_limit"])
    return typed


# --------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------
def hydra_parser() -> argparse.ArgumentParser:
    """Hydra's own argument parser (the flags every Hydra app has)."""
    from hydra._internal.utils import get_args_parser

    return get_args_parser()


def is_hydra_override(text: str) -> bool:
    """An override of Hydra's own config (``hydra.launcher.n_jobs=2``, ``hydra/launcher=joblib``)."""
    key = text.lstrip("+~").removeprefix("override ").partition("=")[0]
    return key == "hydra" or key.startswith(("hydra.", "hydra/"))


@dataclass
class CommandLine:
    """A ``copsim-run`` command line, read by Hydra's parser, with copsim's additions resolved.

    ``overrides`` are the ``key=value`` arguments with any scenario or experiment given as a
    file (``scenario=cases/mine.yaml``) rewritten to its name; the file is linked into a
    temporary config tree. ``roots`` are the config trees searched, in Hydra's order: the
    packaged one, the user's own (added to Hydra's search path by copsim's search-path plugin,
    ``hydra_plugins/copsim_searchpath``), ``--config-dir``, the linked files; ``extra`` are the
    last two, which copsim puts on Hydra's search path itself.
    """

    args: argparse.Namespace
    overrides: list[str]
    roots: list[Path]
    extra: list[Path]

    @classmethod
    def parse(cls, argv: list[str]) -> CommandLine:
        parser = hydra_parser()

        def refuse(message: str) -> None:
            raise ConfigError(f"command line: {message}")

        parser.error = refuse  # one line, not argparse's usage and exit
        args = parser.parse_intermixed_args(argv)  # flags may come anywhere, as in Hydra's docs
        if args.config_dir is not None and not Path(args.config_dir).expanduser().is_dir():
            raise ConfigError(f"--config-dir: {args.config_dir!r} is not a directory")
        if args.config_path is not None or args.config_name is not None:
            raise ConfigError("--config-path/--config-name: not supported; add a tree with --config-dir DIR")
        extra = [Path(args.config_dir).expanduser().absolute()] if args.config_dir else []
        overrides, links = [], _FileGroups()
        for text in args.overrides:
            overrides.append(links.rewrite(text, [*extra]))
        if links.root is not None:
            extra.append(links.root)
        user = user_tree()
        return cls(args, overrides, [conf_dir(), *([user] if user else []), *extra], extra)

    @property
    def config_dirs(self) -> list[Path]:
        """The config trees after the packaged one (the user's, ``--config-dir``, linked files)."""
        return self.roots[1:]

    @property
    def inspects(self) -> bool:
        """Only shows something (help, config, info, shell completion) and runs nothing."""
        a = self.args
        return bool(a.help or a.hydra_help or a.cfg or a.info or a.shell_completion)

    def hydra_argv(self, extra: list[str] = ()) -> list[str]:
        """Arguments for ``hydra.main``: the flags as given, the rewritten overrides, the search path."""
        a = self.args
        switches = {
            "--help": a.help,
            "--hydra-help": a.hydra_help,
            "--resolve": a.resolve,
            "--multirun": a.multirun,
            "--shell-completion": a.shell_completion,
        }
        flags = [flag for flag, on in switches.items() if on]
        if a.cfg:
            flags += ["--cfg", a.cfg]
        if a.package:
            flags += ["--package", a.package]
        if a.info:
            flags += ["--info", a.info]
        if a.config_dir:
            flags += ["--config-dir", str(Path(a.config_dir).expanduser().absolute())]
        linked = [
            d for d in self.extra if not a.config_dir or d != Path(a.config_dir).expanduser().absolute()
        ]
        path = ["hydra.searchpath=[" + ",".join(f"'file://{d}'" for d in linked) + "]"] if linked else []
        return [*flags, *self.overrides, *path, *extra]


_USER_TREES: dict[tuple[tuple[str, str], ...], Path] = {}


def user_tree() -> Path | None:
    """The user's own scenarios and experiments as a Hydra config tree (a temporary folder whose
    ``scenario`` and ``experiment`` link to :func:`~copsim.model.config.user_scenario_dir` and
    :func:`~copsim.model.config.user_experiment_dir`), or None when the user has neither."""
    from .model.config import GROUP_FOLDERS

    present = tuple(sorted((g, str(f().absolute())) for g, f in GROUP_FOLDERS.items() if f().is_dir()))
    if not present:
        return None
    if present not in _USER_TREES:
        root = Path(tempfile.mkdtemp(prefix="copsim-user-conf-"))
        atexit.register(shutil.rmtree, root, True)
        for group, folder in present:
            (root / group).symlink_to(folder, target_is_directory=True)
        _USER_TREES[present] = root
    return _USER_TREES[present]


class _FileGroups:
    """Links scenario and experiment files given by path into one temporary config tree."""

    def __init__(self) -> None:
        self.root: Path | None = None

    def rewrite(self, text: str, config_dirs: list[Path]) -> str:
        """``text`` with each file given to a group (``scenario=a.yaml`` or, in a sweep,
        ``scenario=rumble_strips,cases/a.yaml``) linked in and named by its stem."""
        prefix, key, value = _split(text)
        items = value.split(",")
        if key not in GROUPS or not value or "(" in value or not any(map(is_path, items)):
            return text
        names = [self._link(key, item, config_dirs) if is_path(item) else item for item in items]
        return f"{prefix}{key}={','.join(names)}"

    def _link(self, key: str, value: str, config_dirs: list[Path]) -> str:
        path = Path(value).expanduser()
        if not path.is_file():
            raise ConfigError(f"{key}: {value!r} is not a file; give a {key} name or a YAML file")
        if key == "experiment":
            read_experiment(path)
        name = path.stem
        if any((folder / f"{name}.yaml").is_file() for folder in group_folders(key, config_dirs)):
            raise ConfigError(f"{key}: {value!r} has the name of an existing {key} ({name}); rename the file")
        if self.root is None:
            self.root = Path(tempfile.mkdtemp(prefix="copsim-conf-"))
            atexit.register(shutil.rmtree, self.root, True)
        (self.root / key).mkdir(exist_ok=True)
        link = self.root / key / f"{name}.yaml"
        if link.is_symlink():
            if link.resolve() != path.resolve():
                raise ConfigError(f"{key}: {value!r} has the name of another file given ({name}); rename one")
            return name
        link.symlink_to(path.absolute())
        return name


def _split(text: str) -> tuple[str, str, str]:
    """``+key=value`` -> (``+``, ``key``, ``value``)."""
    stripped = text.lstrip("+~")
    key, _, value = stripped.partition("=")
    return text[: len(text) - len(stripped)], key, value


# --------------------------------------------------------------------------------------------
# Strict checks of what Hydra would convert silently
# --------------------------------------------------------------------------------------------
def check_overrides(overrides: list[str], sweeps: bool = False) -> None:
    """Every model key and run option on the command line exists and its value has the right type.

    ``sweeps``: whether ``a,b``, ``choice``, ``range`` and ``glob`` are allowed (a multirun);
    each value of a sweep is checked (a range by its bounds, without expanding it).
    """
    from hydra.core.override_parser.types import ChoiceSweep, Glob, RangeSweep

    for ov in parse_overrides([o for o in overrides if not is_hydra_override(o)]):
        key = ov.key_or_group
        if key in GROUPS:
            _check_choice(key, ov)
            continue
        if key in JOB_KEYS:
            raise ConfigError(f"{key}: set by copsim-run -m itself; not an option")
        hint = hint_of(key, RunConfig)
        if hint is None:
            raise unknown_key(key, RunConfig)
        entry = typing.get_origin(hint_of(key.rpartition(".")[0], RunConfig)) is dict
        if ov.is_delete():
            if not entry:
                raise ConfigError(f"{key}: cannot be removed; only entries such as world.org_types.NAME can")
            continue
        if ov.is_add() and not ov.is_force_add() and not entry:
            raise already_there(key)
        value = ov.value()
        option = is_run_option(key)
        if ov.is_sweep_override():
            if not sweeps or option:
                where = "run options take one value" if option else "add -m to sweep"
                raise ConfigError(f"{key}: {ov.input_line.partition('=')[2]!r} is a sweep; {where}")
            if isinstance(value, Glob):
                raise ConfigError(f"{key}: glob() sweeps only apply to scenario")
            items = [value.start, value.stop] if isinstance(value, RangeSweep) else list(value.list)
            if isinstance(value, ChoiceSweep | RangeSweep):
                for item in items:
                    coerce(key, item, hint)
            continue
        if option:  # a group's key (costs.coordinator) is checked within its group
            group, _, name = key.partition(".")
            run_options({group: {name: value} if name else value})
        else:
            coerce(key, value, hint)


def _check_choice(key: str, ov: Any) -> None:
    """A scenario or experiment is chosen by name (or file): text, never a number or a list."""
    from hydra.core.override_parser.types import ChoiceSweep, Glob

    value = ov.value()
    if ov.is_delete():
        raise ConfigError(f"{key}: cannot be removed; choose another with {key}=NAME")
    if isinstance(value, Glob):
        return
    for item in value.list if isinstance(value, ChoiceSweep) else [value]:
        if not isinstance(item, str) or not item:
            raise ConfigError(f"{key}: {item!r} is not allowed; give a {key} name or a YAML file")


def check_files(cfg: DictConfig, command: CommandLine) -> None:
    """The chosen scenario and experiment files, read raw and typed strictly (Hydra would convert
    ``mandate: yes`` to true); ConfigError names the key and the file."""
    from .model.config import read_scenario

    choices = cfg.hydra.runtime.choices
    for group in GROUPS:
        name = choices.get(group)
        if not name:
            continue
        path = next(
            (r / group / f"{name}.yaml" for r in command.roots if (r / group / f"{name}.yaml").is_file()),
            None,
        )
        if path is None:
            continue
        if group == "scenario":
            read_scenario(path)
        else:
            read_experiment(path)


def _global_package(path: Path) -> bool:
    """Whether a config file starts (before its first key) with Hydra's ``# @package _global_``."""
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return False
        if line.strip().replace(" ", "") == "#@package_global_":
            return True
    return False


def read_experiment(path: Path) -> dict[str, Any]:
    """An experiment file's own keys (no ``defaults``, no ``hydra``), strictly typed."""
    try:
        data = OmegaConf.to_container(OmegaConf.load(path), resolve=False) or {}
    except Exception as exc:  # a YAML syntax error
        raise ConfigError(f"experiment: {str(path)!r} cannot be read ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"experiment: {str(path)!r} must hold a mapping of keys")
    if "kind" in data:
        raise ConfigError(
            f"experiment: {str(path)!r} is a {data['kind']} design, not a grid experiment; "
            "run it as its header says"
        )
    own = {k: v for k, v in data.items() if k not in ("defaults", "hydra")}
    if set(own) - {"experiment"} and not _global_package(path):
        raise ConfigError(
            f"experiment: {str(path)!r} lacks the line '# @package _global_' at its top (Hydra would put "
            "its keys under experiment.); add it"
        )
    try:
        return coerce_group(own, RunConfig)
    except ConfigError as exc:
        raise ConfigError(f"{exc} (in {path})") from None


# --------------------------------------------------------------------------------------------
# Composition
# --------------------------------------------------------------------------------------------
def hydra_app(command: CommandLine | None = None) -> Any:
    """Hydra itself (its ``Hydra`` object), on copsim's config tree plus the command line's
    :attr:`CommandLine.extra` trees; what ``hydra.main`` builds, without its exit-on-error wrapper,
    so copsim sees every error and interrupt itself."""
    from hydra._internal.hydra import Hydra
    from hydra._internal.utils import create_config_search_path
    from hydra.core.config_search_path import SearchPathQuery
    from hydra.core.global_hydra import GlobalHydra

    register()
    GlobalHydra.instance().clear()
    search_path = create_config_search_path(str(conf_dir()))
    for root in command.extra if command else []:
        search_path.prepend(
            provider="copsim", path=f"file://{root}", anchor=SearchPathQuery(provider="schema")
        )
    return Hydra.create_main_hydra2(task_name="copsim-run", config_search_path=search_path)


def compose(command: CommandLine, overrides: list[str]) -> DictConfig:
    """Compose ``config`` with ``overrides`` on the command line's search path, with the ``hydra``
    node; ConfigError (one line) on any composition error."""
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode

    try:
        app = hydra_app(command)
        return app.compose_config(
            "config", list(overrides), run_mode=RunMode.RUN, with_log_configuration=False
        )
    except ConfigError:
        raise
    except Exception as exc:
        raise ConfigError(explain_hydra(exc, command)) from None
    finally:
        GlobalHydra.instance().clear()


def explain_hydra(exc: BaseException, command: CommandLine | None = None) -> str:
    """One line from a Hydra composition error, naming the group or key."""
    from omegaconf.errors import OmegaConfBaseException

    from .model.config import _explain

    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, OmegaConfBaseException) and (
        "Error merging override" in first or "raised while composing config" in first
    ):
        where = first.split("'")[1] if first.startswith("In '") else ""
        return _explain(cause) + (f" (in {where})" if where and "Error merging" not in first else "")
    if isinstance(exc, OmegaConfBaseException):
        return _explain(exc)
    if "Could not find '" in first:
        import re

        match = re.search(r"Could not find '([^']+)'", first)
        group, _, name = match.group(1).rpartition("/") if match else ("", "", "")
        if group in GROUPS:
            options = sorted(
                {
                    p.stem
                    for r in (command.roots if command else [conf_dir()])
                    for p in (r / group).glob("*.yaml")
                }
            )
            return f"{group}: {name!r} is unknown; choose one of {', '.join(options)}"
        if group.startswith("hydra/"):
            from .extras import LAUNCHER_EXTRAS, install_hint, missing

            extra = LAUNCHER_EXTRAS.get(name) if group == "hydra/launcher" else None
            if extra and missing(extra):
                return f"{group}: {name!r} needs {install_hint(extra)}"
            return f"{group}: {name!r} is unknown; choose one of {', '.join(_options(group, command))}"
    if first.startswith("Could not append to config."):
        import re

        match = re.search(r"An item is already at '([^']+)'", first)
        if match:
            return str(already_there(match.group(1)))
    if first.startswith("Could not delete from config."):
        import re

        match = re.search(r"'([^']+)' does not exist", first)
        if match:
            return f"{match.group(1)}: does not exist in this scenario; nothing to remove"
    if "Could not override" in first or "Key '" in first:
        import re

        cause_text = str(cause).splitlines()[0] if cause else ""
        full = re.search(r"Could not override '([^']+)'", first)
        match = re.search(r"Key '([^']+)'", first + " " + cause_text)
        if full or match:
            return str(unknown_key(full.group(1) if full else match.group(1), RunConfig))
    return f"hydra: {first}"


def _options(group: str, command: CommandLine | None) -> list[str]:
    """The options of a config group (e.g. ``hydra/launcher``) on the command line's search path."""
    from hydra.core.global_hydra import GlobalHydra

    try:
        return sorted(hydra_app(command).config_loader.get_group_options(group))
    except Exception:
        return []
    finally:
        GlobalHydra.instance().clear()


def set_runtime(cfg: DictConfig) -> None:
    """Make ``${hydra:...}`` interpolations of a composed config resolvable (as inside a Hydra job)."""
    from hydra.core.hydra_config import HydraConfig

    HydraConfig.instance().set_config(cfg)


def resolved(cfg: DictConfig, key: str) -> Any:
    """A value of a composed config with every interpolation (``${now:...}``, ``${hydra:...}``) resolved."""
    set_runtime(cfg)
    return OmegaConf.select(cfg, key, throw_on_resolution_failure=True)


__all__ = [
    "CommandLine",
    "CostOptions",
    "ExperimentInfo",
    "RunConfig",
    "check_files",
    "check_overrides",
    "compose",
    "cost_rates",
    "is_run_option",
    "register",
    "run_options",
]

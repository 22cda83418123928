"""Plan a sweep: the conditions a multirun stands for, every one validated before anything runs.

Hydra composes a sweep like any multirun: the experiment file (``+experiment=NAME``, with its
own ``defaults`` such as ``override /hydra/launcher: joblib``), the scenario, the fixed
overrides, and the grid — ``hydra.sweeper.params`` of the composed config, then the sweep
overrides of the command line (``key=a,b,c``, ``choice(...)``, ``range(...)``,
``scenario=glob(*)``); a command-line value replaces the file's value of the same key in place.

copsim then plans that grid itself instead of leaving it to Hydra's basic sweeper, for four
reasons (``docs/EXPERIMENTS.md``):

1. the grid is counted before it is expanded, so ``range(0,100000000)`` is refused at once;
2. every value of every condition is checked (types, ranges, rules spanning keys) before any
   job starts;
3. each scenario gets its dissemination-only baseline, the other arm of every paired comparison;
4. each condition gets a stable identity (:attr:`Condition.id`) and a fingerprint that includes
   the code (:func:`copsim.experiments.provenance.code_identity`), so a sweep resumes safely.

Conditions are the Cartesian product of the swept keys in the order they first appear (the
last key varies fastest), followed by the baselines (:func:`baseline_overrides`). Hydra then
launches one job per condition (:mod:`copsim.experiments.runner`).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import itertools
import json
import math
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from ..composition import (
    RUN_OPTIONS,
    CommandLine,
    check_files,
    check_overrides,
    compose,
    is_hydra_override,
    is_run_option,
    read_experiment,
    resolved,
    run_options,
)
from ..model.config import (
    ConfigError,
    CopConfig,
    from_container,
    hint_of,
    parse_overrides,
    validate,
    with_value,
)
from .limits import Estimate, check_memory, local_parallelism
from .provenance import code_identity

#: key prefixes of the community levers. With ``community.enabled=false`` none of them acts (the
#: model sets legitimacy, coordination and the support team to nothing), so a baseline resets the
#: swept levers to the scenario's values, keeps every other swept key (e.g. demography.wave), and
#: shows no lever value in the results (they did not apply).
LEVER_PREFIXES = ("community.", "coordinator.", "sponsor.", "support_team.")

#: the most conditions (baselines included) one sweep may have; counted before expanding
MAX_CONDITIONS = 50_000


def key_column(key: str) -> str:
    """Column name of a swept config key in the results: its dotted name, but ``root_seed`` for
    ``seed`` (``seed`` is the replicate's own seed in ``runs.parquet``)."""
    return "root_seed" if key == "seed" else key


def is_lever(key: str) -> bool:
    """True for a key of the community, coordinator, sponsor or support team groups."""
    return key.startswith(LEVER_PREFIXES)


def canonical(value: Any) -> Any:
    """A value as plain JSON data: numpy scalars as Python numbers, -0.0 as 0.0, tuples as lists."""
    kind = type(value)
    if kind is float:
        return value + 0.0
    if kind in (int, str, bool) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float):
        return value + 0.0
    return value


def _digest(payload: Any) -> str:
    text = json.dumps(canonical(payload), sort_keys=True, default=str, allow_nan=True)
    return hashlib.sha1(text.encode()).hexdigest()


@dataclass
class Condition:
    """One point of a sweep, validated.

    ``overrides`` are the model overrides (without the scenario) that, applied to the scenario
    with :func:`copsim.load_config`, give ``config``; ``keys`` holds the value of every condition
    key (``scenario``, ``community.enabled`` and each swept key) as it applied (None for a lever
    of a condition without a community).
    """

    index: int
    scenario: str
    overrides: list[str]
    replicates: int
    config: CopConfig
    baseline: bool = False
    keys: dict[str, Any] = field(default_factory=dict)
    code: dict[str, str] = field(default_factory=code_identity)

    @functools.cached_property
    def flat(self) -> dict[str, Any]:
        """The resolved config as ``{dotted key: value}``."""
        return flat_config(self.config)

    @functools.cached_property
    def identity(self) -> str:
        """SHA-1 of the resolved config and replicate count: what the condition is."""
        return _digest({"config": self.flat, "replicates": self.replicates})

    @functools.cached_property
    def fingerprint(self) -> str:
        """SHA-1 of :attr:`identity` and the code: same fingerprint, same results."""
        return _digest({"identity": self.identity, "code": self.code})

    @property
    def id(self) -> str:
        """Stable identifier and directory name: ``<scenario>-<first 10 hex of the identity>``
        (the same under other code, so ``force=true`` reruns it in place)."""
        return f"{self.scenario}-{self.identity[:10]}"

    @property
    def label(self) -> str:
        """Human-readable description: the swept keys' values, or ``baseline``."""
        on = self.config.community.enabled
        shown = [
            f"{k}={_fmt(v)}"
            for k, v in self.keys.items()
            if k not in ("scenario", "community.enabled") and (on or not is_lever(k))
        ]
        return " ".join([self.scenario if on else f"{self.scenario} baseline", *shown])

    def to_plan(self, base: dict[str, Any]) -> dict[str, Any]:
        """The JSON form stored in ``sweep.json``; ``base`` is the scenario's config (flat) that
        the job changes by ``changes`` (or replaces by ``config``) to rebuild this one."""
        entry = {
            "index": self.index,
            "id": self.id,
            "label": self.label,
            "scenario": self.scenario,
            "overrides": list(self.overrides),
            "replicates": self.replicates,
            "baseline": self.baseline,
            "keys": canonical(self.keys),
            "fingerprint": self.fingerprint,
            "code": self.code,
        }
        changes = config_changes(base, self.flat)
        if changes is None:
            entry["config"] = canonical(dataclasses.asdict(self.config))
        else:
            entry["changes"] = canonical(changes)
        return entry


@dataclass
class SweepPlan:
    """Everything a sweep will run: its conditions, condition keys, options and provenance.

    ``launch`` holds the overrides the Hydra multirun gets besides the conditions: the
    experiment (so its launcher choice applies) and the command line's Hydra overrides.
    """

    experiment: str | None
    conditions: list[Condition]
    condition_keys: list[str]
    options: dict[str, Any]
    launch: list[str]
    sweep_dir: Path
    scenarios: dict[str, CopConfig]
    command: CommandLine | None = None
    experiment_file: str | None = None
    question: str = ""
    launcher: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        bases = {name: canonical(dataclasses.asdict(c)) for name, c in self.scenarios.items()}
        flat_bases = {name: _flatten(base) for name, base in bases.items()}
        return {
            "experiment": self.experiment,
            "experiment_file": self.experiment_file,
            "question": self.question,
            "condition_keys": self.condition_keys,
            "options": {k: v for k, v in self.options.items() if k not in ("sweep_dir", "out")},
            "code": code_identity(),
            "scenarios": bases,
            "conditions": [c.to_plan(flat_bases[c.scenario]) for c in self.conditions],
        }


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


# --------------------------------------------------------------------------------------------
# Configs as flat dictionaries, and a condition's changes to its scenario
# --------------------------------------------------------------------------------------------
def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def flat_config(config: CopConfig) -> dict[str, Any]:
    """A resolved config as ``{dotted key: value}`` (e.g. ``coordinator.fte``)."""
    return _flatten(dataclasses.asdict(config))


def config_changes(flat_base: dict[str, Any], flat: dict[str, Any]) -> dict[str, Any] | None:
    """The dotted keys whose values differ from ``flat_base`` (None when ``flat`` lacks a key of it,
    e.g. a removed organization type: then the whole config is stored). Both are flat configs."""
    if not set(flat_base) <= set(flat):
        return None
    return {k: v for k, v in flat.items() if k not in flat_base or canonical(flat_base[k]) != canonical(v)}


def apply_changes(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` (a nested dict) with the dotted ``changes`` set; new nested keys are created."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        *parents, last = key.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def entry_config(plan: dict[str, Any], entry: dict[str, Any]) -> CopConfig:
    """Rebuild a planned condition's config from ``sweep.json`` (the scenario base and its changes)."""
    if "config" in entry:
        return from_container(entry["config"])
    return from_container(apply_changes(plan["scenarios"][entry["scenario"]], entry["changes"]))


# --------------------------------------------------------------------------------------------
# The grid
# --------------------------------------------------------------------------------------------
@dataclass
class Axis:
    """One key of the grid: its parsed override and where it came from."""

    key: str
    override: Any

    @property
    def count(self) -> int:
        """How many values, without expanding a range."""
        from hydra.core.override_parser.types import ChoiceSweep, Glob, RangeSweep

        value = self.override.value()
        if not self.override.is_sweep_override():
            return 1
        if isinstance(value, RangeSweep):
            if not value.step:
                raise ConfigError(f"{self.key}: {self.text!r} has a step of 0")
            return max(0, math.ceil((value.stop - value.start) / value.step))
        if isinstance(value, ChoiceSweep):
            return len(value.list)
        if isinstance(value, Glob):
            return 1  # a glob over scenario names is counted once they are known
        raise ConfigError(
            f"{self.key}: {self.text!r} is not allowed; sweeps are a,b,c or choice(...) or range(...)"
        )

    @property
    def text(self) -> str:
        return self.override.input_line.partition("=")[2]

    def values(self, scenario_names: list[str]) -> list[str]:
        """The override values (strings in Hydra's grammar) the axis stands for."""
        return [text for text, _ in self.items(scenario_names)]

    def items(self, scenario_names: list[str]) -> list[tuple[str, Any]]:
        """Each value of the axis as (override text, parsed value)."""
        from hydra.core.override_parser.types import ChoiceSweep, Glob, RangeSweep

        ov = self.override
        if not ov.is_sweep_override():
            return [(ov.get_value_element_as_str(), ov.value())]
        value = ov.value()
        if isinstance(value, ChoiceSweep | RangeSweep) and value.shuffle:
            raise ConfigError(
                f"{self.key}: shuffle() is not allowed; the order of conditions must be reproducible"
            )
        if isinstance(value, Glob):
            if self.key != "scenario":
                raise ConfigError(f"{self.key}: glob() sweeps only apply to scenario")
            names = value.filter(scenario_names)
            if not names:
                raise ConfigError(
                    f"scenario: {self.text!r} matches no scenario; known: {', '.join(scenario_names)}"
                )
            return [(n, n) for n in names]
        items = list(zip(ov.sweep_string_iterator(), ov.sweep_iterator(), strict=True))
        if not items:
            raise ConfigError(f"{self.key}: {self.text!r} sweeps over no value")
        return items


def _sweep_string(value: Any) -> str:
    """A ``hydra.sweeper.params`` value (a sweep string or a YAML list) as override text."""
    if isinstance(value, list):
        return ",".join(_value_string(v) for v in value)
    return _value_string(value) if not isinstance(value, str) else value


def _value_string(value: Any) -> str:
    """A YAML value as a Hydra override value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | dict):
        return json.dumps(value)
    text = str(value)
    return text if text.replace("_", "").replace("-", "").replace(".", "").isalnum() else repr(text)


class _ConfigBuilder:
    """Builds and validates each condition's config from its scenario's composed config.

    Composing costs about a tenth of a second, too slow for thousands of conditions; so each
    scenario is composed once by Hydra (with the experiment and the fixed overrides), and a
    condition's config is a copy with each swept value (parsed by Hydra's override parser and
    typed strictly) set on its field, then validated as a whole (:func:`copsim.model.config.validate`).
    Anything else — ``+`` additions, group values — is composed by Hydra itself.
    """

    def __init__(self, command: CommandLine, fixed: list[str]) -> None:
        self.command, self.fixed = command, fixed
        self.scenarios: dict[str, CopConfig] = {}

    def scenario(self, name: str) -> CopConfig:
        if name not in self.scenarios:
            cfg = compose(self.command, [*self.fixed, f"scenario={name}"])
            check_files(cfg, self.command)
            config = from_container(cfg)
            config.scenario = name
            self.scenarios[name] = config
        return self.scenarios[name]

    def __call__(self, scenario: str, items: list[tuple[str, str, Any]]) -> CopConfig:
        """The config of ``scenario`` with each (override text, key, value) of ``items`` applied."""
        config: CopConfig | None = self.scenario(scenario)
        for text, key, value in items:
            config = None if text.startswith("+") else with_value(config, key, value)
            if config is None:
                texts = [t for t, _, _ in items]
                composed = from_container(
                    compose(self.command, [*self.fixed, f"scenario={scenario}", *texts])
                )
                composed.scenario = scenario
                return composed
        return validate(config)


def baseline_overrides(overrides: list[str], swept: set[str]) -> list[str]:
    """The overrides of a condition's dissemination-only baseline.

    The baseline is the same condition with ``community.enabled=false`` and the *swept* levers
    (community, coordinator, sponsor, support-team keys, which do not act without a community)
    back at the scenario's values; every other override, swept or fixed, is kept. One baseline
    therefore serves all lever settings of a scenario, and a swept non-lever key such as
    ``demography.wave`` gets one baseline per value.
    """
    kept = []
    for text in overrides:
        key = text.lstrip("+").partition("=")[0]
        if key == "community.enabled" or (key in swept and is_lever(key)):
            continue
        kept.append(text)
    return [*kept, "community.enabled=false"]


def applied_keys(flat: dict[str, Any], scenario: str, swept_keys: list[str]) -> dict[str, Any]:
    """The condition keys as they applied (from a flat config): without a community no lever
    acts, so a lever shows None."""
    on = flat["community.enabled"]
    keys: dict[str, Any] = {"scenario": scenario, "community.enabled": on}
    for k in swept_keys:
        keys[key_column(k)] = flat[k] if (on or not is_lever(k)) else None
    return keys


def _experiment_fixed(cfg: Any, command: CommandLine) -> tuple[list[str], str | None]:
    """The experiment file's own model keys as overrides (for each condition's record), and its path."""
    name = cfg.hydra.runtime.choices.get("experiment")
    if not name:
        return [], None
    path = next(
        (
            r / "experiment" / f"{name}.yaml"
            for r in command.roots
            if (r / "experiment" / f"{name}.yaml").is_file()
        ),
        None,
    )
    if path is None:
        return [], None
    data = read_experiment(path)
    model = {k: v for k, v in data.items() if k not in ("experiment", *RUN_OPTIONS)}
    fixed = [f"{key}={_value_string(value)}" for key, value in _flatten(model).items()]
    return fixed, str(path.resolve() if not path.is_symlink() else path.readlink())


def expand(args: list[str] | CommandLine) -> SweepPlan:
    """Plan a sweep from ``copsim-run -m`` arguments (or a parsed command line).

    Raises :class:`~copsim.ConfigError` (one line) on an unknown experiment or scenario, an
    unknown key, a value of the wrong type or out of range in any condition, a bad run option,
    a Hydra override that does not compose, or a grid larger than :data:`MAX_CONDITIONS`.
    Writes nothing.
    """
    command = args if isinstance(args, CommandLine) else CommandLine.parse(["-m", *args])
    check_overrides(command.overrides, sweeps=True)
    hydra_args = [o for o in command.overrides if is_hydra_override(o)]
    parsed = parse_overrides([o for o in command.overrides if not is_hydra_override(o)])

    fixed: list[str] = [
        o.input_line for o in parsed if o.key_or_group != "scenario" and not o.is_sweep_override()
    ]
    cli_axes = [
        Axis(o.key_or_group, o) for o in parsed if o.key_or_group == "scenario" or o.is_sweep_override()
    ]
    if any(a.key == "experiment" for a in cli_axes):
        raise ConfigError("experiment: one experiment at a time; sweep inside it with hydra.sweeper.params")
    cfg = compose(command, [*fixed, *hydra_args])
    sweeper = str(OmegaConf.select(cfg, "hydra.sweeper._target_") or "")
    if not sweeper.endswith("BasicSweeper"):
        raise ConfigError(
            f"hydra/sweeper: {sweeper!r} is not supported; copsim plans the grid itself (with each "
            "scenario's baseline): give the grid as hydra.sweeper.params or key=a,b,c"
        )
    options = run_options(OmegaConf.to_container(cfg, resolve=False))
    options.setdefault("force", False)
    params = (
        OmegaConf.to_container(cfg.hydra.sweeper.params, resolve=True) if cfg.hydra.sweeper.params else {}
    )

    # the grid: the file's params first, then the command line; a later value of a key replaces
    # an earlier one in place (a command-line scenario=X replaces the file's scenario sweep)
    axes: dict[str, Axis] = {}
    for key, value in params.items():
        ov = parse_overrides([f"{key}={_sweep_string(value)}"])[0]
        check_overrides([ov.input_line], sweeps=True)
        axes[key] = Axis(key, ov)
    for ov in parsed:
        key = ov.key_or_group
        if key in axes or key == "scenario" or ov.is_sweep_override():
            axes[key] = Axis(key, ov)
    from ..model.config import scenario_names

    names = scenario_names(command.config_dirs)
    scenario_axis = axes.pop("scenario", None)
    scenarios = scenario_axis.values(names) if scenario_axis else [cfg.hydra.runtime.choices.scenario]
    fixed = [o for o in fixed if o.lstrip("+").partition("=")[0] not in axes]

    counts = {k: a.count for k, a in axes.items()}
    grid = len(scenarios) * math.prod(counts.values())
    total = grid * (2 if options.get("baseline", True) else 1)
    if total > MAX_CONDITIONS:
        widest = ", ".join(f"{k}: {n:,} values" for k, n in sorted(counts.items(), key=lambda kv: -kv[1])[:3])
        raise ConfigError(
            f"sweep: {grid:,} conditions ({len(scenarios)} scenario(s); {widest}) is more than the "
            f"{MAX_CONDITIONS:,} one sweep may hold; narrow the ranges or split the sweep"
        )
    values = {k: a.items(names) for k, a in axes.items()}
    swept = {k for k, v in values.items() if len(v) > 1}
    if len(scenarios) > 1:
        swept.add("scenario")
    grids = [
        [(f"{'+' if a.override.is_add() else ''}{k}={text}", k, value) for text, value in values[k]]
        for k, a in axes.items()
    ]
    launcher = _launcher(cfg)
    parallel = local_parallelism(launcher)

    build = _ConfigBuilder(command, [*fixed, *hydra_args])
    exp_fixed, experiment_file = _experiment_fixed(cfg, command)
    cli_fixed = [o for o in fixed if o.lstrip("+").partition("=")[0] != "experiment" and not is_run_option(o)]
    replicates = options["replicates"]
    conditions: list[Condition] = []
    seen: set[str] = set()
    code = code_identity()

    def add(scenario: str, items: list[tuple[str, str, Any]]) -> None:
        config = build(scenario, items)
        recorded = [*exp_fixed, *cli_fixed, *(text for text, _, _ in items)]
        cond = Condition(
            len(conditions), scenario, recorded, replicates, config, not config.community.enabled, code=code
        )
        if cond.id not in seen:  # refused at the first condition too large for memory
            check_memory(Estimate.of(config, replicates), parallel, options.get("memory_limit"), "the sweep")
            seen.add(cond.id)
            conditions.append(cond)

    scenario_grid = [(s, list(combo)) for s in scenarios for combo in itertools.product(*grids)]
    for scenario, items in scenario_grid:
        add(scenario, items)
    if options.get("baseline", True):
        off = ("community.enabled=false", "community.enabled", False)
        for scenario, items in scenario_grid:
            kept = set(baseline_overrides([text for text, _, _ in items], swept))
            add(scenario, [item for item in items if item[0] in kept] + [off])

    swept_keys = [k for k in axes if k in swept and k != "community.enabled"]
    keys = ["scenario", "community.enabled", *[key_column(k) for k in swept_keys]]
    for cond in conditions:
        cond.keys = applied_keys(cond.flat, cond.scenario, swept_keys)

    experiment = cfg.hydra.runtime.choices.get("experiment")
    sweep_dir = options.get("sweep_dir") or options.get("out") or resolved(cfg, "hydra.sweep.dir")
    launch = [o for o in hydra_args if not o.lstrip("+").startswith("hydra.sweep.dir=")]
    if experiment:
        launch.insert(0, f"+experiment={experiment}")
    return SweepPlan(
        experiment=experiment,
        conditions=conditions,
        condition_keys=keys,
        options=options,
        launch=launch,
        sweep_dir=_directory(sweep_dir),
        scenarios={name: build.scenario(name) for name in dict.fromkeys(c.scenario for c in conditions)},
        command=command,
        experiment_file=experiment_file,
        question=str(OmegaConf.select(cfg, "experiment.question") or "").strip(),
        launcher=launcher,
    )


def _directory(text: str) -> Path:
    path = Path(str(text)).expanduser().absolute()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"sweep_dir: {str(path)!r} exists and is not a directory")
    return path


def _launcher(cfg: Any) -> dict[str, Any]:
    """The launcher as composed: its settings, and ``choice`` (which launcher, e.g. ``joblib``)."""
    launcher = OmegaConf.to_container(cfg.hydra.launcher, resolve=True)
    return {**launcher, "choice": str(cfg.hydra.runtime.choices.get("hydra/launcher", "basic"))}


def experiment_names(config_dirs: typing.Iterable[str | Path] = ()) -> list[str]:
    """Names of the experiments: packaged, the user's own, and those of ``config_dirs``' trees."""
    from ..model.config import group_names

    return group_names("experiment", config_dirs)


__all__ = ["Condition", "SweepPlan", "baseline_overrides", "expand", "experiment_names", "hint_of"]

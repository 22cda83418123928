"""Expand a sweep (a named experiment plus command-line overrides) into validated conditions.

A *condition* is one point of a sweep: a scenario plus model overrides, run for ``replicates``
replicates whose seeds are spawned from the condition's root seed (``seed``). Everything here
happens before any job runs, so a bad experiment name, an unknown key or an out-of-range value
anywhere in the sweep stops the sweep with one line and nothing written.

Sweep syntax is Hydra's own override grammar (parsed with Hydra's ``OverridesParser``):
``key=a,b,c``, ``key=choice(a,b)``, ``key=range(0,10,2)`` and, for the scenario,
``scenario=glob(*)``. Conditions are the Cartesian product of all swept keys, in the order the keys
first appear (the experiment's ``hydra.sweeper.params`` first, then the command line; the last
key varies fastest), followed by the dissemination-only baselines (see :func:`baseline_overrides`).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import json
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from ..model.config import ConfigError, CopConfig, conf_dir, load_config, scenario_names

#: run options a sweep accepts beside the model's keys: name -> (kind, allowed)
OPTIONS: dict[str, tuple[str, Any]] = {
    "replicates": ("int", (1, 10_000)),
    "baseline": ("bool", None),
    "force": ("bool", None),
    "sweep_dir": ("str", None),
    "out": ("str", None),
}

#: key prefixes of the community levers. With ``community.enabled=false`` none of them acts (the
#: model sets legitimacy, coordination and the support team to nothing), so a baseline resets the
#: swept levers to the scenario's defaults and keeps every other swept key (e.g. demography.wave).
LEVER_PREFIXES = ("community.", "coordinator.", "sponsor.", "support_team.")

DEFAULT_REPLICATES = 1


def key_column(key: str) -> str:
    """Column name of a swept config key in the results: its dotted name, but ``root_seed`` for
    ``seed`` (``seed`` is the replicate's own seed in ``runs.parquet``)."""
    return "root_seed" if key == "seed" else key


def is_lever(key: str) -> bool:
    """True for a key of the community, coordinator, sponsor or support team groups."""
    return key.startswith(LEVER_PREFIXES)


@dataclass
class Condition:
    """One point of a sweep, validated.

    ``overrides`` are the model overrides (without the scenario) that :func:`copsim.load_config`
    applies to the scenario; ``keys`` holds the value of every condition key (``scenario``,
    ``community.enabled`` and each swept key) read from the resolved ``config``.
    """

    index: int
    scenario: str
    overrides: list[str]
    replicates: int
    config: CopConfig
    baseline: bool = False
    keys: dict[str, Any] = field(default_factory=dict)

    @functools.cached_property
    def fingerprint(self) -> str:
        """SHA-1 of the resolved config and replicate count: same fingerprint, same results."""
        payload = json.dumps(
            {"config": dataclasses.asdict(self.config), "replicates": self.replicates},
            sort_keys=True,
            default=str,
        )
        return hashlib.sha1(payload.encode()).hexdigest()

    @property
    def id(self) -> str:
        """Stable identifier and directory name: ``<scenario>-<first 10 hex of the fingerprint>``."""
        return f"{self.scenario}-{self.fingerprint[:10]}"

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

    def to_plan(self) -> dict[str, Any]:
        """The JSON form stored in ``sweep.json`` and read back by the job that runs it."""
        return {
            "index": self.index,
            "id": self.id,
            "label": self.label,
            "scenario": self.scenario,
            "overrides": list(self.overrides),
            "replicates": self.replicates,
            "baseline": self.baseline,
            "keys": self.keys,
            "fingerprint": self.fingerprint,
        }


@dataclass
class SweepPlan:
    """Everything a sweep will run: its conditions, condition keys, options and provenance."""

    experiment: str | None
    conditions: list[Condition]
    condition_keys: list[str]
    options: dict[str, Any]
    hydra_args: list[str]
    experiment_file: str | None = None
    question: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "experiment": self.experiment,
            "experiment_file": self.experiment_file,
            "question": self.question,
            "condition_keys": self.condition_keys,
            "options": {k: v for k, v in self.options.items() if k not in ("sweep_dir", "out")},
            "conditions": [c.to_plan() for c in self.conditions],
        }


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


# --------------------------------------------------------------------------------------------
# Experiment files
# --------------------------------------------------------------------------------------------
def experiment_dirs() -> list[Path]:
    """Where named experiments are looked up, first match wins.

    ``./experiments`` (the working directory, for users' own experiments), the packaged
    ``copsim/conf/experiment`` and the source tree's ``experiments/``.
    """
    repo = Path(__file__).resolve().parents[3] / "experiments"
    dirs = [Path.cwd() / "experiments", conf_dir() / "experiment", repo]
    unique: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def _kind(path: Path) -> str:
    """The ``kind`` of an experiment file: ``grid`` (run by ``copsim-run -m``) unless it says else.

    Designs such as ``kind: sensitivity`` or ``kind: lever_space`` live beside the grid
    experiments but are run by the analysis tools.
    """
    try:
        data = OmegaConf.load(path)
    except Exception:
        return "grid"
    kind = data.get("kind", "grid") if isinstance(data, DictConfig) else "grid"
    return str(kind)


def experiment_names() -> list[str]:
    """Names of the grid experiments found in :func:`experiment_dirs`."""
    return sorted({p.stem for d in experiment_dirs() for p in d.glob("*.yaml") if _kind(p) == "grid"})


def find_experiment(name: str) -> Path:
    """The YAML file of experiment ``name`` (a name or a path to a ``.yaml`` file)."""
    path = Path(name)
    candidates = (
        [path] if path.suffix in (".yaml", ".yml") else [d / f"{name}.yaml" for d in experiment_dirs()]
    )
    for candidate in candidates:
        if candidate.is_file():
            kind = _kind(candidate)
            if kind != "grid":
                raise ConfigError(
                    f"experiment: {name!r} is a {kind} design, not a grid experiment; "
                    f"run it as its header in {candidate} says"
                )
            return candidate
    raise ConfigError(f"experiment: {name!r} is unknown; choose one of {', '.join(experiment_names())}")


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


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def read_experiment(path: Path) -> tuple[list[str], list[str], dict[str, str], str]:
    """Read an experiment file.

    Returns (sweep overrides from ``hydra.sweeper.params``, fixed model overrides from the other
    top-level keys, run options, question). The file is a Hydra ``# @package _global_`` config:
    ``hydra.sweeper.params`` maps keys to sweep strings (``0,0.5,1``) or YAML lists;
    ``replicates``/``baseline`` are run options; ``experiment.question`` says what it answers;
    ``defaults: [{override /scenario: NAME}]`` picks the scenario; any other key is a fixed model
    value.
    """
    try:
        data = OmegaConf.to_container(OmegaConf.load(path), resolve=False) or {}
    except Exception as exc:  # a YAML syntax error
        raise ConfigError(f"experiment: {path} cannot be read: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"experiment: {path} must hold a mapping of keys")
    scenario = []
    for item in data.pop("defaults", None) or []:  # Hydra's way: `- override /scenario: NAME`
        if isinstance(item, dict) and set(item) == {"override /scenario"}:
            scenario = [f"scenario={item['override /scenario']}"]
        elif item != "_self_":
            raise ConfigError(f"experiment: {path}: defaults entry {item!r} is not supported")
    meta = data.pop("experiment", None) or {}
    hydra = data.pop("hydra", None) or {}
    params = (hydra.get("sweeper") or {}).get("params") or {}
    sweeps = [
        f"{key}={','.join(_value_string(v) for v in value) if isinstance(value, list) else value}"
        for key, value in params.items()
    ]
    options = {k: _value_string(data.pop(k)) for k in list(data) if k in OPTIONS}
    fixed = [f"{key}={_value_string(value)}" for key, value in _flatten(data).items()]
    return sweeps, [*scenario, *fixed], options, str(meta.get("question", "")).strip()


# --------------------------------------------------------------------------------------------
# Argument splitting and sweep expansion
# --------------------------------------------------------------------------------------------
def _is_hydra_arg(arg: str) -> bool:
    return arg.startswith("-") or arg.lstrip("+~").startswith(("hydra.", "hydra/"))


def _check_option(key: str, value: str) -> Any:
    kind, allowed = OPTIONS[key]
    if kind == "int":
        lo, hi = allowed
        if not value.isdigit() or not lo <= int(value) <= hi:
            raise ConfigError(f"{key}: {value!r} is not allowed; a whole number from {lo} to {hi}")
        return int(value)
    if kind == "bool":
        if value.lower() not in ("true", "false"):
            raise ConfigError(f"{key}: {value!r} is not allowed; true or false")
        return value.lower() == "true"
    if not value:
        raise ConfigError(f"{key}: empty; give a directory")
    return value


def _parse(overrides: list[str]) -> list[Any]:
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    parser = OverridesParser.create()
    parsed = []
    for text in overrides:
        try:
            parsed.extend(parser.parse_overrides([text]))
        except HydraException as exc:
            raise ConfigError(f"{text.partition('=')[0]}: {str(exc).splitlines()[0]}") from None
    return parsed


def _values(ov: Any) -> list[str]:
    """The override values (strings in Hydra's grammar) a parsed override stands for."""
    key = ov.key_or_group
    if ov.is_delete():
        raise ConfigError(f"{key}: deleting keys (~) is not allowed in a sweep")
    if not ov.is_sweep_override():
        return [ov.get_value_element_as_str()]
    from hydra.core.override_parser.types import Glob

    value = ov.value()
    if isinstance(value, Glob):
        if key != "scenario":
            raise ConfigError(f"{key}: glob() sweeps only apply to scenario")
        names = value.filter(scenario_names())
        if not names:
            raise ConfigError(f"scenario: {ov.input_line!r} matches no scenario; known: {scenario_names()}")
        return names
    try:
        values = list(ov.sweep_string_iterator())
    except Exception:
        raise ConfigError(
            f"{key}: {ov.input_line!r} is not allowed; sweeps are a,b,c or choice(...) or range(...)"
        ) from None
    if not values:
        raise ConfigError(f"{key}: {ov.input_line!r} sweeps over no value")
    return values


def flat_config(config: CopConfig) -> dict[str, Any]:
    """A resolved config as ``{dotted key: value}`` (e.g. ``coordinator.fte``)."""
    return _flatten(dataclasses.asdict(config))


def _convert(value: Any, kind: Any) -> Any:
    """``value`` as a field of type ``kind``, or ``_NO_VALUE`` when only OmegaConf can tell."""
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is bool and isinstance(value, bool):
        return value
    if kind is str and isinstance(value, str):
        return value
    return _NO_VALUE


def _set_path(config: CopConfig, key: str, value: Any) -> bool:
    """Set a dotted scalar key on a (copied) config in place; False if that cannot be done simply."""
    *parents, last = key.split(".")
    node: Any = config
    for part in parents:
        if isinstance(node, dict):
            if part not in node:
                return False
            node = node[part]
        elif dataclasses.is_dataclass(node) and hasattr(node, part):
            node = getattr(node, part)
        else:
            return False
    if not dataclasses.is_dataclass(node) or last not in {f.name for f in dataclasses.fields(node)}:
        return False
    typed = _convert(value, typing.get_type_hints(type(node)).get(last))
    if typed is _NO_VALUE:
        return False
    setattr(node, last, typed)
    return True


class _ConfigBuilder:
    """Builds and validates each condition's config, exactly as :func:`copsim.load_config` would.

    ``load_config`` costs about a third of a second (OmegaConf), too slow for thousands of
    conditions. So each scenario is loaded once by ``load_config``; a condition's config is a
    copy with each override's value (parsed by Hydra's override parser) set on its typed field,
    then validated as a whole by :func:`copsim.config.validate` (ranges, choices and rules that
    span keys). Anything else — an unknown key, ``+`` additions, list or dict values, a value
    of another type than the field — goes through ``load_config`` itself, which gives the
    canonical one-line error or the canonical conversion.
    """

    def __init__(self) -> None:
        self.scenarios: dict[str, CopConfig] = {}
        self.values: dict[str, Any] = {}

    def _value(self, text: str) -> Any:
        if text not in self.values:
            self.values[text] = _parse([text])[0].value()
        return self.values[text]

    def __call__(self, scenario: str, overrides: list[str]) -> CopConfig:
        import copy

        from ..model.config import validate

        if scenario not in self.scenarios:
            self.scenarios[scenario] = load_config(scenario, [])
        config = copy.deepcopy(self.scenarios[scenario])
        for text in overrides:
            if text.startswith("+") or not _set_path(config, text.partition("=")[0], self._value(text)):
                return load_config(scenario, overrides)
        return validate(config)


_NO_VALUE = object()


def baseline_overrides(overrides: list[str], swept: set[str]) -> list[str]:
    """The overrides of a condition's dissemination-only baseline.

    The baseline is the same condition with ``community.enabled=false`` and the *swept* levers
    (community, coordinator, sponsor, support-team keys, which do not act without a community)
    back at the scenario's defaults; every other override, swept or fixed, is kept. One baseline
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


def expand(args: list[str]) -> SweepPlan:
    """Expand and validate a sweep from ``copsim-run -m`` arguments (without ``-m``).

    Raises :class:`~copsim.ConfigError` (one line) on an unknown experiment, an unknown key, a
    value out of range in any condition, or a bad run option. Writes nothing.
    """
    hydra_args = [a for a in args if _is_hydra_arg(a) and a not in ("-m", "--multirun")]
    rest = [a for a in args if not _is_hydra_arg(a)]

    experiment, experiment_file, question = None, None, ""
    exp_sweeps: list[str] = []
    exp_fixed: list[str] = []
    options_raw: dict[str, str] = {}
    cli_overrides: list[str] = []
    for arg in rest:
        key, eq, value = arg.lstrip("+").partition("=")
        if not eq:
            raise ConfigError(f"{arg}: not an override; write key=value")
        if key == "experiment":
            experiment = value
            path = find_experiment(value)
            experiment_file = str(path)
            exp_sweeps, exp_fixed, exp_options, question = read_experiment(path)
            options_raw = {**exp_options, **options_raw}
        elif key in OPTIONS:
            options_raw[key] = value
        else:
            cli_overrides.append(arg)
    # command-line options beat the experiment's
    for arg in rest:
        key, _, value = arg.lstrip("+").partition("=")
        if key in OPTIONS:
            options_raw[key] = value

    options: dict[str, Any] = {"replicates": DEFAULT_REPLICATES, "baseline": True, "force": False}
    for key, value in options_raw.items():
        if any(ch in value for ch in ",(") and key != "sweep_dir" and key != "out":
            raise ConfigError(f"{key}: {value!r} is a sweep; run options take one value")
        options[key] = _check_option(key, value)

    # later overrides of the same key replace earlier ones (the command line beats the file)
    ordered: dict[str, tuple[Any, list[str]]] = {}
    for ov in _parse([*exp_fixed, *exp_sweeps, *cli_overrides]):
        ordered[ov.key_or_group] = (ov, _values(ov))  # a later value replaces, the position stays
    scenarios = ordered.pop("scenario", (None, ["rumble_strips"]))[1]
    unknown = [s for s in scenarios if s not in scenario_names()]
    if unknown:
        raise ConfigError(f"scenario: {unknown[0]!r} is unknown; choose one of {', '.join(scenario_names())}")

    swept = {k for k, (_, values) in ordered.items() if len(values) > 1}
    if len(scenarios) > 1:
        swept.add("scenario")
    names = list(ordered)
    grids = [[f"{'+' if ov.is_add() else ''}{k}={v}" for v in values] for k, (ov, values) in ordered.items()]

    replicates = options["replicates"]
    conditions: list[Condition] = []
    seen: set[str] = set()
    build = _ConfigBuilder()

    def add(scenario: str, overrides: list[str]) -> None:
        config = build(scenario, overrides)
        cond = Condition(
            len(conditions), scenario, overrides, replicates, config, not config.community.enabled
        )
        if cond.id not in seen:
            seen.add(cond.id)
            conditions.append(cond)

    scenario_grid = [
        (s, list(combo)) for s in scenarios for combo in (itertools.product(*grids) if grids else [()])
    ]
    for scenario, overrides in scenario_grid:
        add(scenario, overrides)
    if options["baseline"]:
        for scenario, overrides in scenario_grid:
            add(scenario, baseline_overrides(overrides, swept))

    swept_keys = [k for k in names if k in swept and k != "community.enabled"]
    keys = ["scenario", "community.enabled", *[key_column(k) for k in swept_keys]]
    for cond in conditions:
        flat = flat_config(cond.config)
        cond.keys = {"scenario": cond.scenario, "community.enabled": cond.config.community.enabled}
        cond.keys.update({key_column(k): flat[k] for k in swept_keys})
    return SweepPlan(
        experiment=Path(experiment).stem if experiment else None,
        conditions=conditions,
        condition_keys=keys,
        options=options,
        hydra_args=hydra_args,
        experiment_file=experiment_file,
        question=question,
    )

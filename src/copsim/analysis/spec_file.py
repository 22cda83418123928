"""Reading the YAML spec files of sensitivity analysis and scenario discovery."""

from __future__ import annotations

from pathlib import Path

import yaml


def read_yaml_mapping(path: Path, error: type[Exception], required: tuple[str, ...]) -> dict:
    """A spec file as a dict, or ``error`` with one line naming the file and what is wrong.

    At least one of the ``required`` keys must hold a non-empty mapping.
    """
    try:
        spec = yaml.safe_load(Path(path).read_text())
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(spec, dict) or not any(spec.get(key) for key in required):
        raise error(f"{path}: needs {' and/or '.join(repr(k) for k in required)} mapping(s)")
    return spec


def packaged_specs() -> Path:
    """The analysis designs copsim ships: ``copsim/specs`` in an installed wheel, the checkout's
    ``experiments/`` otherwise."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "specs"
    return packaged if packaged.is_dir() else package.parents[1] / "experiments"


def spec_path(spec: str | Path, error: type[Exception]) -> Path:
    """A spec given as a file, or by the name of a packaged design (``sensitivity``,
    ``lever_space``): ``error`` (one line) when it is neither."""
    path = Path(spec).expanduser()
    if path.is_file():
        return path
    named = packaged_specs() / f"{path.stem}.yaml"
    if path.suffix in ("", ".yaml", ".yml") and path.parent == Path(".") and named.is_file():
        return named
    names = ", ".join(sorted(p.stem for p in packaged_specs().glob("*.yaml")))
    raise error(f"{spec}: no such file, nor a packaged design (the packaged ones: {names})")

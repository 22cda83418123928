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

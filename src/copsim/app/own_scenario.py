"""Describe your own community: a scenario of the user's, built from a case and saved as a file.

The user starts from one of the cases and changes the world: how many organizations and people,
the kinds of organizations (share, sector, level, whether they adopt, silo strength), the
channels the community uses, and the horizon. :func:`save` writes the result as a complete
scenario file (every parameter, the case's values for what was not changed) into the user's
scenario directory (:func:`copsim.model.config.user_scenario_dir`, never the installed
package), after :func:`copsim.load_config` has validated it exactly as a built-in scenario: a
bad value gives one line and nothing is saved. The file then runs as any scenario:
``copsim.load_config(NAME)``, or its path.

The page serves everyone on the machine, so what it writes is bounded: names of lowercase
letters, digits and underscores; an existing scenario is never overwritten; at most
:data:`MAX_FILES` files; worlds of at most :data:`MAX_ORGANIZATIONS` organizations and
:data:`MAX_PRACTITIONERS` practitioners (larger ones belong on the command line).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from omegaconf import OmegaConf

from ..model.config import (
    LEVELS,
    SECTORS,
    ConfigError,
    CopConfig,
    builtin_scenario_names,
    load_config,
    user_scenario_dir,
)

MAX_ORGANIZATIONS = 500
MAX_PRACTITIONERS = 5_000
MAX_FILES = 200
MAX_YEARS = 30
NAME = re.compile(r"[a-z][a-z0-9_]{1,39}")
CHANNELS = ("face_to_face", "online_library", "qa_referral", "teleconference", "conference", "joint_project")


@dataclass(frozen=True)
class OrgKind:
    """One kind of organization: its name and the keys of ``world.org_types.NAME`` the page edits."""

    name: str
    share: float
    sector: str
    level: str
    adopting: bool
    silo: float


@dataclass(frozen=True)
class Community:
    """A user's description of a community, starting from the case ``base``."""

    name: str
    base: str
    n_organizations: int
    n_practitioners: int
    kinds: tuple[OrgKind, ...]
    channels: tuple[tuple[str, float], ...]
    horizon_years: int
    #: share of the adopting organizations already using the practice at launch (0-1)
    initial_adoption: float = 0.0


def from_config(config: CopConfig, name: str = "") -> Community:
    """A description that reproduces ``config``'s world (the page's starting point)."""
    kinds = tuple(
        OrgKind(kind, t.share, t.sector, t.level, t.adopting, t.silo)
        for kind, t in config.world.org_types.items()
    )
    channels = tuple((c, float(getattr(config.community.channels, c))) for c in CHANNELS)
    return Community(name, config.scenario, config.world.n_organizations, config.world.n_practitioners, kinds,
                     channels, max(1, round(config.horizon_weeks / 52)),
                     config.adoption.initial_adopters)  # fmt: skip


def check(community: Community) -> None:
    """The page's bounds and the name's form; ConfigError with one line naming what is wrong."""
    if not NAME.fullmatch(community.name):
        raise ConfigError(
            f"name: {community.name!r} is not allowed; 2 to 40 lowercase letters, digits or _, starting "
            "with a letter"
        )
    if community.name in builtin_scenario_names():
        raise ConfigError(f"name: {community.name!r} is a built-in case; choose another name")
    if not 1 <= community.n_organizations <= MAX_ORGANIZATIONS:
        raise ConfigError(
            f"world.n_organizations: {community.n_organizations} is out of range; allowed 1 to "
            f"{MAX_ORGANIZATIONS} on the page"
        )
    if not 1 <= community.n_practitioners <= MAX_PRACTITIONERS:
        raise ConfigError(
            f"world.n_practitioners: {community.n_practitioners} is out of range; allowed 1 to "
            f"{MAX_PRACTITIONERS} on the page"
        )
    if not 1 <= community.horizon_years <= MAX_YEARS:
        raise ConfigError(
            f"horizon: {community.horizon_years} years is out of range; allowed 1 to {MAX_YEARS}"
        )
    if not 0.0 <= community.initial_adoption <= 1.0:
        raise ConfigError(
            f"adoption.initial_adopters: {community.initial_adoption} is out of range; allowed 0 to 1 "
            "(a share of the adopting organizations)"
        )
    for kind in community.kinds:
        if not NAME.fullmatch(kind.name):
            raise ConfigError(
                f"world.org_types: kind {kind.name!r} is not allowed; lowercase letters, digits or _"
            )
        if kind.sector not in SECTORS or kind.level not in LEVELS:
            raise ConfigError(f"world.org_types.{kind.name}: sector or level not one of {SECTORS} / {LEVELS}")


def scenario_yaml(community: Community) -> str:
    """The complete scenario file: every parameter of the base case, the described world over it."""
    base = load_config(community.base)
    world = dataclasses.replace(
        base.world,
        n_organizations=int(community.n_organizations),
        n_practitioners=int(community.n_practitioners),
        org_types={},
    )
    adoption = dataclasses.replace(base.adoption, initial_adopters=float(community.initial_adoption))
    config = dataclasses.replace(base, scenario=community.name, world=world, adoption=adoption,
                                 horizon_weeks=int(community.horizon_years) * 52)  # fmt: skip
    data = OmegaConf.to_container(OmegaConf.structured(config))
    previous = base.world.org_types
    data["world"]["org_types"] = {
        k.name: {
            **(OmegaConf.to_container(OmegaConf.structured(previous[k.name])) if k.name in previous else {}),
            "share": float(k.share), "sector": k.sector, "level": k.level, "adopting": bool(k.adopting),
            "silo": float(k.silo),
        }
        for k in community.kinds
    }  # fmt: skip
    data["community"]["channels"] = {c: float(v) for c, v in community.channels}
    header = (
        "# @package _global_\n"
        f"# {community.name}: a community described in the copsim dashboard, starting from the case "
        f"{community.base}, {datetime.now(UTC):%Y-%m-%d}.\n"
        "# Every parameter is listed; those not described on the page keep the case's value (its source:\n"
        f"# conf/scenario/{community.base}.yaml). Run it with copsim.load_config('{community.name}').\n"
    )
    return header + OmegaConf.to_yaml(OmegaConf.create(data))


def save(community: Community, folder: Path | None = None) -> Path:
    """Validate ``community`` and write it as ``NAME.yaml`` in the user's scenario directory.

    Nothing is written unless :func:`copsim.load_config` accepts the file; an existing file is
    never replaced. Returns the file's path; ConfigError with one line otherwise.
    """
    check(community)
    folder = Path(folder) if folder is not None else user_scenario_dir()
    target = folder / f"{community.name}.yaml"
    if target.exists():
        raise ConfigError(f"name: a scenario called {community.name!r} exists already; choose another name")
    folder.mkdir(parents=True, exist_ok=True)
    if len(list(folder.glob("*.yaml"))) >= MAX_FILES:
        raise ConfigError(f"{folder}: holds {MAX_FILES} scenarios already; remove some first")
    text = scenario_yaml(community)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{community.name}-", suffix=".yaml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        load_config(temporary)  # the same validation as any scenario; raises ConfigError
        os.link(temporary, target)  # fails if the name was taken meanwhile: never overwrites
    except FileExistsError:
        raise ConfigError(
            f"name: a scenario called {community.name!r} exists already; choose another name"
        ) from None
    finally:
        os.unlink(temporary)
    return target


def user_scenarios(folder: Path | None = None) -> list[str]:
    """Names of the user's scenario files (not the built-in cases)."""
    folder = Path(folder) if folder is not None else user_scenario_dir()
    if not folder.is_dir():
        return []
    builtin = set(builtin_scenario_names())
    return sorted(p.stem for p in folder.glob("*.yaml") if NAME.fullmatch(p.stem) and p.stem not in builtin)

"""Every scenario builds exactly the world its file describes.

The expected composition is read from the scenario YAML itself (not through copsim's loader),
so a loader that adds, drops or merges organization types fails here.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import yaml

import copsim
from copsim.model.config import conf_dir, scenario_names
from copsim.model.streams import stream_generator
from copsim.model.world import build_world


def scenario_file(name: str) -> dict:
    return yaml.safe_load((conf_dir() / "scenario" / f"{name}.yaml").read_text())


def expected_counts(types: dict, n_orgs: int) -> dict[str, int]:
    """Organizations per type by the largest-remainder rule the world builder documents."""
    names = list(types)
    raw = np.array([types[t]["share"] for t in names], float) * n_orgs
    counts = np.floor(raw).astype(int)
    for k in np.argsort(-(raw - counts), kind="stable")[: n_orgs - counts.sum()]:
        counts[k] += 1
    return dict(zip(names, counts.tolist(), strict=True))


@pytest.mark.parametrize("scenario", scenario_names())
def test_built_world_has_the_file_types_and_counts(scenario):
    spec = scenario_file(scenario)["world"]
    cfg = copsim.load_config(scenario, ["seed=11"])
    assert list(cfg.world.org_types) == list(spec["org_types"]), "types differ from the file"
    n_orgs = spec["n_organizations"] if isinstance(spec["n_organizations"], int) else 4000
    world = build_world(cfg, stream_generator(cfg.seed, "world"))
    built = Counter(world.type_names[t] for t in world.org_type)
    assert dict(built) == {k: v for k, v in expected_counts(spec["org_types"], n_orgs).items() if v}
    for k, name in enumerate(world.type_names):
        kind = spec["org_types"][name]
        of_kind = world.org_type == k
        assert np.all(world.org_adopting[of_kind] == kind.get("adopting", True)), name


def test_rumble_strips_has_about_fifty_adopting_state_dots():
    cfg = copsim.load_config("rumble_strips")
    world = build_world(cfg, stream_generator(cfg.seed, "world"))
    adopting = [world.type_names[t] for t in world.org_type[world.org_adopting]]
    assert set(adopting) == {"state_dot"}
    assert 48 <= len(adopting) <= 52  # article: "50 state DOTs"


def test_shares_must_sum_to_one():
    with pytest.raises(copsim.ConfigError, match=r"world.org_types.\*.share: shares sum to 1.1"):
        copsim.load_config("rumble_strips", ["world.org_types.industry.share=0.2"])


def test_an_organization_type_can_be_removed_and_added():
    cfg = copsim.load_config(
        "rumble_strips",
        ["~world.org_types.civic", "world.org_types.industry.share=0.15"],
    )
    assert list(cfg.world.org_types) == ["fhwa", "state_dot", "industry"]
    cfg = copsim.load_config(
        "e_regulation",
        [
            "world.org_types.agency.share=0.8",
            "+world.org_types.vendor={share: 0.2, sector: private, level: federal, adopting: false}",
        ],
    )
    assert cfg.world.org_types["vendor"].adopting is False


def test_a_world_without_organization_types_is_refused():
    with pytest.raises(copsim.ConfigError, match=r"world\.org_types: empty"):
        copsim.load_config("e_regulation", ["~world.org_types.agency"])

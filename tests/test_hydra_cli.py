"""copsim-run as Hydra users know it: shell completion, --config-dir with their own scenarios and
experiments, --cfg job with an experiment applied, copsim's own --help, ${now:...} in output
folders, experiments composed by Hydra (so they may choose their launcher)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import copsim
from conftest import copsim_run
from copsim.experiments.plan import expand
from copsim.model.config import CONFIG_DIR_ENV, conf_dir

COPSIM_RUN = shutil.which("copsim-run", path=str(Path(sys.executable).parent))
TINY = ["horizon_weeks=8", "world.n_practitioners=40", "world.n_organizations=8"]


def run(args: list[str]) -> int:
    return copsim_run(*args)


@pytest.fixture
def user_tree(tmp_path) -> Path:
    """A user's config tree: a scenario of their own and an experiment that uses it."""
    tree = tmp_path / "mine"
    (tree / "scenario").mkdir(parents=True)
    (tree / "experiment").mkdir()
    text = (
        (conf_dir() / "scenario" / "safecities.yaml")
        .read_text()
        .replace("scenario: safecities", "scenario: harbor")
    )
    (tree / "scenario" / "harbor.yaml").write_text(text)
    (tree / "experiment" / "harbor_grid.yaml").write_text(
        "# @package _global_\n"
        "defaults:\n  - override /scenario: harbor\n  - override /hydra/launcher: joblib\n  - _self_\n"
        "experiment:\n  question: Does a half-time coordinator help the harbor cities?\n"
        "replicates: 2\nhorizon_weeks: 8\nworld:\n  n_practitioners: 40\n  n_organizations: 8\n"
        "hydra:\n  launcher:\n    n_jobs: 2\n  sweeper:\n    params:\n      coordinator.fte: 0,0.5\n"
    )
    return tree


@pytest.fixture
def user_home(user_tree, tmp_path) -> Path:
    """The same files in the user's own folder (``$COPSIM_CONFIG_DIR``: scenarios/, experiments/)."""
    home = tmp_path / "home-config"
    shutil.copytree(user_tree / "scenario", home / "scenarios")
    shutil.copytree(user_tree / "experiment", home / "experiments")
    return home


# --------------------------------------------------------------------------------------------
# Shell completion, help, --cfg
# --------------------------------------------------------------------------------------------
def test_shell_completion_installs_and_completes_scenarios(user_home):
    script = subprocess.run([COPSIM_RUN, "-sc", "install=bash"], capture_output=True, text=True)
    assert script.returncode == 0, script.stderr
    assert "complete" in script.stdout and "copsim-run" in script.stdout
    # the user's own tree is completed too (Hydra's completion does not read --config-dir)
    line = "copsim-run scenario="
    env = {**os.environ, "COMP_LINE": line, "COMP_POINT": str(len(line)), CONFIG_DIR_ENV: str(user_home)}
    query = subprocess.run([COPSIM_RUN, "-sc", "query=bash"], capture_output=True, text=True, env=env)
    assert query.returncode == 0, query.stderr
    options = set(query.stdout.split())
    assert {"scenario=rumble_strips", "scenario=safecities", "scenario=harbor"} <= options


def test_help_is_copsims_own(capsys, user_tree):
    assert run(["--help", "--config-dir", str(user_tree)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("copsim-run: simulate community-of-practice initiatives")
    assert "powered by Hydra" not in text
    groups = {
        line.split(":")[0]: line
        for line in text.splitlines()
        if line.startswith(("scenario:", "experiment:"))
    }
    assert "harbor" in groups["scenario"] and "rumble_strips" in groups["scenario"]
    assert "coordinator_sponsorship" in groups["experiment"] and "harbor_grid" in groups["experiment"]
    assert "sensitivity" not in groups["experiment"] and "lever_space" not in groups["experiment"]
    assert "copsim-run scenario=safecities coordinator.fte=0.5 replicates=10" in text  # the example


def test_cfg_job_shows_the_config_with_the_experiment_applied(capsys):
    assert run(["+experiment=retirement_wave", "--cfg", "job"]) == 0
    shown = capsys.readouterr().out
    assert (
        "wave: true" in shown and "replicates: 30" in shown and "question: Through a retirement wave" in shown
    )


def test_cfg_job_refuses_a_bad_key_in_one_line(capsys):
    assert run(["--cfg", "job", "coordinator.ftee=1"]) == 2
    assert capsys.readouterr().err.strip() == (
        "copsim-run: error: coordinator.ftee: unknown key; did you mean coordinator.fte?"
    )


# --------------------------------------------------------------------------------------------
# The user's own scenarios and experiments
# --------------------------------------------------------------------------------------------
def test_config_dir_adds_a_scenario_to_a_single_run(user_tree, tmp_path):
    out = tmp_path / "run"
    assert run(["-cd", str(user_tree), "scenario=harbor", *TINY, f"out={out}"]) == 0
    assert set(pd.read_csv(out / "summary.csv")["scenario"]) == {"harbor"}
    assert json.loads((out / "manifest.json").read_text())["scenario"] == "harbor"


def test_config_dir_adds_a_scenario_to_a_sweep(user_tree, tmp_path):
    out = tmp_path / "sweep"
    assert run(["-m", "--config-dir", str(user_tree), "scenario=harbor,safecities", "coordinator.fte=0,1",
                *TINY, f"sweep_dir={out}"]) == 0  # fmt: skip
    runs = pd.read_parquet(out / "runs.parquet")
    assert set(runs["scenario"]) == {"harbor", "safecities"} and runs["condition_id"].nunique() == 2 * 2 + 2


def test_an_experiment_of_the_users_tree_is_composed_by_hydra_with_its_launcher(user_tree):
    plan = expand(["--config-dir", str(user_tree), "+experiment=harbor_grid"])
    assert plan.experiment == "harbor_grid" and plan.question.startswith("Does a half-time coordinator")
    assert [c.label for c in plan.conditions] == [
        "harbor coordinator.fte=0",
        "harbor coordinator.fte=0.5",
        "harbor baseline",
    ]
    assert plan.launcher["choice"] == "joblib" and plan.launcher["n_jobs"] == 2  # chosen inside the file
    assert plan.options["replicates"] == 2 and plan.conditions[0].config.horizon_weeks == 8


def test_the_experiment_runs_on_its_own_launcher(user_tree, tmp_path):
    out = tmp_path / "sweep"
    assert run(["-m", "-cd", str(user_tree), "+experiment=harbor_grid", f"sweep_dir={out}"]) == 0
    pids = {json.loads(p.read_text())["pid"] for p in out.glob("conditions/*/condition.json")}
    assert os.getpid() not in pids  # joblib's worker processes ran it
    assert json.loads((out / "manifest.json").read_text())["experiment"] == "harbor_grid"


def test_the_users_own_folder_is_searched_by_name(user_home, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(CONFIG_DIR_ENV, str(user_home))
    assert "harbor" in copsim.scenario_names()
    assert copsim.load_config("harbor", TINY).scenario == "harbor"
    assert expand(["+experiment=harbor_grid"]).experiment == "harbor_grid"
    out = tmp_path / "run"
    assert run(["scenario=harbor", *TINY, f"out={out}"]) == 0  # copsim-run finds it too
    assert set(pd.read_csv(out / "summary.csv")["scenario"]) == {"harbor"}
    assert run(["--help"]) == 0 and "harbor" in capsys.readouterr().out


def test_a_scenario_file_runs_by_its_path(user_tree, tmp_path):
    path = user_tree / "scenario" / "harbor.yaml"
    assert copsim.load_config(str(path)).scenario == "harbor"
    out = tmp_path / "sweep"
    assert run(["-m", f"scenario={path}", "coordinator.fte=0,1", *TINY, f"sweep_dir={out}"]) == 0
    assert set(pd.read_parquet(out / "runs.parquet")["scenario"]) == {"harbor"}


def test_a_sweep_takes_scenario_files_beside_names_and_refuses_two_files_of_one_name(
    user_tree, tmp_path, capsys
):
    harbor = user_tree / "scenario" / "harbor.yaml"
    port = tmp_path / "port.yaml"
    port.write_text(harbor.read_text().replace("scenario: harbor", "scenario: port"))
    out = tmp_path / "sweep"
    assert run(["-m", f"scenario=safecities,{harbor},{port}", *TINY, f"sweep_dir={out}"]) == 0
    assert set(pd.read_parquet(out / "runs.parquet")["scenario"]) == {"safecities", "harbor", "port"}
    other = tmp_path / "elsewhere" / "harbor.yaml"
    other.parent.mkdir()
    other.write_text(harbor.read_text())
    capsys.readouterr()
    assert run(["-m", f"scenario={harbor},{other}", *TINY, f"sweep_dir={tmp_path / 'no'}"]) == 2
    assert capsys.readouterr().err.strip().endswith("has the name of another file given (harbor); rename one")
    assert not (tmp_path / "no").exists()


def test_a_scenario_file_named_like_a_packaged_one_is_refused(tmp_path, capsys):
    copy = tmp_path / "safecities.yaml"
    copy.write_text((conf_dir() / "scenario" / "safecities.yaml").read_text())
    assert run([f"scenario={copy}", *TINY]) == 2
    assert "has the name of an existing scenario (safecities); rename the file" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# Interpolations in output folders
# --------------------------------------------------------------------------------------------
def test_now_interpolations_work_in_run_and_sweep_folders(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    year = dt.datetime.now().year
    assert run([*TINY, "hydra.run.dir=runs/${now:%Y}-${hydra.runtime.choices.scenario}"]) == 0
    assert (tmp_path / "runs" / f"{year}-rumble_strips" / "summary.csv").is_file()
    assert run(["-m", "coordinator.fte=0,1", *TINY, "hydra.sweep.dir=sweeps/${now:%Y}"]) == 0
    assert (tmp_path / "sweeps" / str(year) / "runs.parquet").is_file()

"""Wheel users: missing extras and specs by name say what to do in one line, and the wheel
(installed, not editable, into a fresh environment) runs every command from an empty folder."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from copsim import extras
from copsim.analysis.sensitivity import SensitivityError
from copsim.analysis.sensitivity import main as sensitivity_main
from copsim.analysis.spec_file import packaged_specs, spec_path
from copsim.composition import explain_hydra

REPO = Path(__file__).resolve().parents[1]


def test_a_missing_extra_is_one_line_naming_what_to_install(monkeypatch, capsys):
    monkeypatch.setattr(extras, "missing", lambda extra: ["streamlit"])
    with pytest.raises(SystemExit) as done:
        extras.app()
    assert done.value.code == 2
    assert capsys.readouterr().err.strip() == (
        "copsim-app: error: this needs the 'app' extra (the what-if dashboard): pip install 'copsim[app]'"
    )


def test_a_launcher_of_a_missing_extra_names_the_extra(monkeypatch):
    monkeypatch.setattr(extras, "missing", lambda extra: ["ray"])
    message = explain_hydra(Exception("In 'config': Could not find 'hydra/launcher/ray'"))
    assert message == "hydra/launcher: 'ray' needs the 'cluster' extra (the Ray and SLURM launchers): " + (
        "pip install 'copsim[cluster]'"
    )


def test_the_packaged_designs_can_be_named():
    assert spec_path("sensitivity", SensitivityError) == packaged_specs() / "sensitivity.yaml"
    assert spec_path("lever_space", SensitivityError).name == "lever_space.yaml"
    with pytest.raises(SensitivityError, match="nor a packaged design"):
        spec_path("no_such_design", SensitivityError)


def test_describe_before_any_run_is_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        sensitivity_main(["sensitivity", "--describe", "--out", str(tmp_path / "nothing")])
    assert done.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "sensitivity.json: missing; --describe rewords an analysis already run" in err[0]


# --------------------------------------------------------------------------------------------
# The wheel in a fresh environment
# --------------------------------------------------------------------------------------------
SMALL = ["horizon_weeks=20", "world.n_practitioners=60", "world.n_organizations=10"]
SENSITIVITY = """\
kind: sensitivity
scenario: safecities
fixed: [horizon_weeks=26, world.n_practitioners=60, world.n_organizations=10]
root_seed: 1
replicates: 1
outcomes: [t50_years]
methods:
  morris: {trajectories: 2, levels: 4}
  sobol: {base_samples: 4, calc_second_order: false}
parameters:
  adoption.q: {low: 0.2, high: 0.5, why: "imitation coefficient"}
  adoption.p: {low: 0.01, high: 0.03, why: "innovation coefficient"}
"""
LEVERS = """\
kind: lever_space
scenario: safecities
samples: 8
replicates: 1
root_seed: 2
fixed: [horizon_weeks=26, world.n_practitioners=60, world.n_organizations=10]
levers:
  coordinator.fte: {low: 0.0, high: 1.0}
uncertain:
  adoption.q: {low: 0.2, high: 0.5}
"""


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory) -> Path:
    """A fresh virtual environment with copsim's wheel installed (not editable); its
    dependencies come from this environment's site-packages, so no download is needed."""
    root = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(root / "dist"), str(REPO)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((root / "dist").glob("copsim-*.whl"))
    env = root / "env"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(env)], check=True)
    purelib = Path(sysconfig.get_paths(vars={"base": str(env), "platbase": str(env)})["purelib"])
    (purelib / "_copsim_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(env / "bin" / "python"), "install", "--no-deps",
         "--no-index", "--quiet", str(wheel)],
        check=True,
    )  # fmt: skip
    return env


def _in(env: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COPSIM_CONFIG_DIR")}
    return subprocess.run(
        [str(env / "bin" / args[0]), *args[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=clean,
        timeout=900,
    )


@pytest.mark.slow
def test_the_wheel_runs_every_command_from_an_empty_folder(wheel_env, tmp_path):
    here = tmp_path / "empty"
    here.mkdir()
    where = _in(wheel_env, here, "python", "-c", "import copsim; print(copsim.__file__)")
    assert where.returncode == 0 and str(wheel_env) in where.stdout, where  # the wheel, not the checkout
    for tool in ("copsim-run", "copsim-collect", "copsim-plot", "copsim-report", "copsim-discover",
                 "copsim-sensitivity", "copsim-calibrate", "copsim-describe", "copsim-app"):  # fmt: skip
        shown = _in(wheel_env, here, tool, "--help")
        assert shown.returncode == 0 and shown.stdout.strip(), (tool, shown.stderr)

    def ok(*args: str) -> subprocess.CompletedProcess:
        done = _in(wheel_env, here, *args)
        assert done.returncode == 0, (args, done.stderr[-3000:])
        return done

    ok("copsim-run", "scenario=safecities", *SMALL, "replicates=2", "out=run")
    assert "wave: true" in ok("copsim-run", "+experiment=retirement_wave", "--cfg", "job").stdout
    sweep = ["+experiment=coordinator_sponsorship", "-m", "scenario=safecities", "coordinator.fte=0,1"]
    ok("copsim-run", *sweep, "sponsor.level=1", *SMALL, "replicates=2", "sweep_dir=sweep")
    ok("copsim-collect", "sweep")
    ok("copsim-plot", "sweep", "--no-network")
    ok("copsim-report", "sweep", "--no-network")
    assert "[years]" in ok("copsim-describe", "sweep").stdout
    (here / "tiny_sensitivity.yaml").write_text(SENSITIVITY)
    ok("copsim-sensitivity", "tiny_sensitivity.yaml", "--out", "sens", "--method", "morris")
    (here / "tiny_levers.yaml").write_text(LEVERS)
    ok(
        "copsim-discover",
        "--run",
        "tiny_levers.yaml",
        "--out",
        "levers",
        "--target",
        "final_adoption_share > 0.05",
    )
    (here / "adopters.csv").write_text(textwrap.dedent("year,adoption_share\n0,0\n0.2,0.05\n0.4,0.1\n"))
    ok("copsim-calibrate", "--scenario", "safecities", "--data", "adopters.csv", "--params", "adoption.q",
       "--trials", "2", "--replicates", "1", "--set", "world.n_practitioners=60", "--set",
       "world.n_organizations=10", "--out", "cal")  # fmt: skip
    named = _in(wheel_env, here, "copsim-sensitivity", "sensitivity", "--describe", "--out", "none")
    assert named.returncode == 2 and "--describe rewords an analysis already run" in named.stderr
    docs = Path(where.stdout.strip()).parent / "docs"
    assert (docs / "EXPERIMENTS.md").is_file() and (docs / "ODD.md").is_file()  # the docs ship with it

"""The results store never mixes or corrupts: a lock per sweep directory, results of other code
refused, damaged files rerun, a refused write said in one line, Ctrl+C and kills handled."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import copsim_run
from copsim.experiments import store
from copsim.experiments.lock import LOCK, SweepLock, read_holder
from copsim.experiments.plan import expand
from copsim.experiments.provenance import code_identity, model_modules, model_source_hash

COPSIM_RUN = shutil.which("copsim-run", path=str(Path(sys.executable).parent))
TINY = ["horizon_weeks=20", "world.n_practitioners=60", "world.n_organizations=10", "replicates=2"]
SWEEP = ["scenario=safecities", "coordinator.fte=0,0.5"]  # 2 conditions + the baseline
#: long enough that a sweep is still running when the test interrupts it (each condition ~1 s)
SLOW = ["horizon_weeks=600", "world.n_practitioners=200", "world.n_organizations=20", "replicates=2"]
AGGREGATES = ("runs.parquet", "timeseries.parquet", "conditions.parquet", "conditions.csv", "failures.csv")


def sweep(*args: str) -> int:
    return copsim_run("-m", *args)


def same_aggregates(a: Path, b: Path) -> None:
    for name in AGGREGATES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("store") / "sweep"
    assert sweep(*SWEEP, *TINY, f"sweep_dir={out}") == 0
    return out


def one_line(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


# --------------------------------------------------------------------------------------------
# Code identity
# --------------------------------------------------------------------------------------------
def test_the_model_source_hash_covers_every_module_the_model_imports():
    names = {p.name for p in model_modules()}
    assert {"api.py", "config.py", "outcomes.py", "streams.py"} <= names
    assert not {"cli.py", "runner.py", "page.py", "report.py"} & names  # not the tools around it
    assert len(model_source_hash()) == 64
    assert code_identity()["copsim"]


def test_a_conditions_fingerprint_includes_the_code_but_its_identity_does_not():
    plan = expand([*SWEEP, *TINY])
    cond = plan.conditions[0]
    other = type(cond)(
        cond.index, cond.scenario, cond.overrides, cond.replicates, cond.config, code={"x": "y"}
    )
    assert other.id == cond.id and other.fingerprint != cond.fingerprint


def test_resuming_under_other_code_refuses_with_one_line(reference, tmp_path, capsys):
    copy = tmp_path / "sweep"
    shutil.copytree(reference, copy)
    plan = json.loads((copy / "sweep.json").read_text())
    plan["code"] = {"copsim": "0.0.9", "model_source": "0" * 64}
    (copy / "sweep.json").write_text(json.dumps(plan))
    before = {p: p.stat().st_mtime_ns for p in copy.rglob("*")}
    assert sweep(*SWEEP, *TINY, f"sweep_dir={copy}") == 2
    line = one_line(capsys)
    assert "holds results of copsim 0.0.9" in line and "force=true" in line and "new sweep_dir" in line
    assert {p: p.stat().st_mtime_ns for p in copy.rglob("*")} == before  # nothing touched
    assert sweep(*SWEEP, *TINY, f"sweep_dir={copy}", "force=true") == 0  # force: all rerun, same numbers
    same_aggregates(reference, copy)


def test_a_condition_recorded_by_other_code_is_not_complete(reference, tmp_path):
    copy = tmp_path / "sweep"
    shutil.copytree(reference, copy)
    plan = store.read_plan(copy)
    entry = plan["conditions"][0]
    assert store.condition_status(copy, entry) == "complete"
    assert store.condition_status(copy, {**entry, "fingerprint": "other code"}) == "not run"


# --------------------------------------------------------------------------------------------
# The lock
# --------------------------------------------------------------------------------------------
def test_a_second_sweep_in_a_locked_directory_refuses_at_once(tmp_path, capsys):
    out = tmp_path / "sweep"
    out.mkdir()
    with SweepLock(out):  # a sweep of this very process holds it
        assert sweep(*SWEEP, *TINY, f"sweep_dir={out}") == 2
        line = one_line(capsys)
        assert "is in use by another sweep" in line and f"pid {os.getpid()}" in line
        assert sorted(p.name for p in out.iterdir()) == [LOCK]  # nothing else written
    assert not (out / LOCK).exists()  # released


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path, capsys):
    out = tmp_path / "sweep"
    out.mkdir()
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    holder = {"host": os.uname().nodename, "pid": int(gone.stdout), "pid_start": "1", "since": "earlier"}
    (out / LOCK).write_text(json.dumps(holder))
    assert sweep(*SWEEP, *TINY, f"sweep_dir={out}") == 0
    assert "was left locked by a sweep that is gone" in capsys.readouterr().err
    assert not (out / LOCK).exists()


def test_collect_refuses_a_directory_a_sweep_is_running_in(reference, tmp_path, capsys):
    from copsim.experiments.cli import collect

    copy = tmp_path / "sweep"
    shutil.copytree(reference, copy)
    with SweepLock(copy), pytest.raises(SystemExit) as done:
        collect([str(copy)])
    assert done.value.code == 2 and "in use by another sweep" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# Damaged files
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_a_condition_file_that_does_not_read_back_is_rerun(reference, tmp_path, capsys, damage):
    copy = tmp_path / "sweep"
    shutil.copytree(reference, copy)
    victim = next(iter(sorted(copy.glob("conditions/*/timeseries.parquet"))))
    data = bytearray(victim.read_bytes())
    if damage == "truncate":
        victim.write_bytes(bytes(data[: len(data) // 2]))
    else:  # same size, one byte changed in the middle: only the hash can tell
        data[len(data) // 2] ^= 0xFF
        victim.write_bytes(bytes(data))
    assert sweep(*SWEEP, *TINY, f"sweep_dir={copy}") == 0
    assert "2 already complete, skipped" in capsys.readouterr().err
    same_aggregates(reference, copy)


def test_collect_of_a_truncated_file_marks_it_not_run_instead_of_failing(reference, tmp_path):
    copy = tmp_path / "sweep"
    shutil.copytree(reference, copy)
    victim = sorted(copy.glob("conditions/*/runs.parquet"))[0]
    victim.write_bytes(victim.read_bytes()[:100])
    manifest = store.collect(copy)
    assert manifest["counts"]["not run"] == 1 and manifest["status"] == "incomplete"
    assert len(pd.read_parquet(copy / "runs.parquet")) == 2 * 2


# --------------------------------------------------------------------------------------------
# Refused writes
# --------------------------------------------------------------------------------------------
def test_an_unwritable_sweep_dir_is_one_line_before_anything_runs(capsys):
    target = Path("/sys/copsim-test-sweep")  # sysfs: nobody, not even root, may create folders
    if os.access("/sys", os.W_OK) and target.parent.exists():
        try:
            target.mkdir()
        except OSError:
            pass
        else:
            target.rmdir()
            pytest.skip("this machine lets us write into /sys")
    assert sweep(*SWEEP, *TINY, f"sweep_dir={target}") == 2
    line = one_line(capsys)
    assert line.startswith(f"copsim-run: error: sweep_dir: cannot write {target}")


def test_a_full_disk_mid_sweep_stops_with_one_line_and_what_was_written_stays_valid(
    reference, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "sweep"
    real = store.atomic_write
    written = []

    def full_after_one_condition(path, write):
        if path.name == "runs.parquet" and path.parent.name != "sweep" and written:
            raise store.StoreError(28, f"cannot write {path}: No space left on device")
        if path.name == "runs.parquet":
            written.append(path)
        real(path, write)

    monkeypatch.setattr(store, "atomic_write", full_after_one_condition)
    assert sweep(*SWEEP, *TINY, f"sweep_dir={out}") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3  # the head line, the estimate, then one line for the problem
    assert "No space left on device" in err[-1] and f"sweep_dir={out}" in err[-1]
    complete = [
        e for e in store.read_plan(out)["conditions"] if store.condition_status(out, e, True) == "complete"
    ]
    assert len(complete) == 1
    monkeypatch.setattr(store, "atomic_write", real)  # space freed: resume completes the rest
    assert sweep(*SWEEP, *TINY, f"sweep_dir={out}") == 0
    same_aggregates(reference, out)


# --------------------------------------------------------------------------------------------
# Interrupts and kills (real processes)
# --------------------------------------------------------------------------------------------
def _start(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [COPSIM_RUN, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _wait_for(predicate, proc: subprocess.Popen, limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if predicate():
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    pytest.fail("the sweep did not get that far")


def test_ctrl_c_stops_a_sweep_within_seconds_and_the_manifest_says_interrupted(tmp_path):
    out = tmp_path / "sweep"
    proc = _start(
        ["-m", "scenario=safecities", "coordinator.fte=0,0.25,0.5,1", *SLOW, f"sweep_dir={out}"], tmp_path
    )
    _wait_for(lambda: list(out.glob("conditions/*/condition.json")), proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)  # "within seconds": a generous bound, not a timing
    assert proc.returncode == 130
    assert "Traceback" not in err and "interrupted:" in err.strip().splitlines()[-1]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and 1 <= manifest["counts"]["complete"] < 5
    assert not (out / LOCK).exists()
    done = subprocess.run([COPSIM_RUN, "-m", "scenario=safecities", "coordinator.fte=0,0.25,0.5,1", *SLOW,
                           f"sweep_dir={out}"], cwd=tmp_path, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0 and "already complete, skipped" in done.stderr


def test_a_second_ctrl_c_exits_at_once_and_quietly(tmp_path):
    out = tmp_path / "sweep"
    proc = _start(
        ["-m", "scenario=safecities", "coordinator.fte=0,0.25,0.5,1", *SLOW, f"sweep_dir={out}"], tmp_path
    )
    _wait_for(lambda: (out / "sweep.json").exists(), proc)
    proc.send_signal(signal.SIGINT)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "Traceback" not in err


def test_ctrl_c_on_a_single_run_is_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    proc = _start(["scenario=safecities", "horizon_weeks=5000", "world.n_practitioners=100",
                   "world.n_organizations=10", f"out={out}"], tmp_path)  # fmt: skip
    _wait_for(lambda: out.exists(), proc)  # Hydra made the folder: the run has started
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err.strip().splitlines() == ["copsim-run: interrupted; nothing written"]
    assert not out.exists()


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_killed_sweep_leaves_no_worker_running(tmp_path):
    out = tmp_path / "sweep"
    args = ["-m", "scenario=safecities", "coordinator.fte=0,0.25,0.5,1", *SLOW, f"sweep_dir={out}",
            "hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]  # fmt: skip
    proc = _start(args, tmp_path)
    workers: set[int] = set()

    def running() -> bool:
        workers.update(p for p in _children(proc.pid) if _alive(p))
        return len(workers) >= 2 and (out / "sweep.json").exists()

    _wait_for(running, proc)
    time.sleep(1.0)  # the workers have picked up their conditions
    proc.kill()
    proc.communicate()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.2)
    assert not [p for p in workers if _alive(p)], "workers outlived their sweep"
    assert read_holder(out) is not None  # the killed sweep's lock is left behind ...
    done = subprocess.run([COPSIM_RUN, *args], cwd=tmp_path, capture_output=True, text=True)
    assert (
        done.returncode == 0 and "was left locked by a sweep that is gone" in done.stderr
    )  # ... and taken over

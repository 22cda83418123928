"""Self-describing outputs: every column copsim writes has a unit and a description, in one place
(copsim.experiments.fields), carried in the Parquet files themselves and readable without copsim;
stages are labelled; every run writes a manifest with all versions."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import copsim
from conftest import copsim_run
from copsim.experiments.fields import IDENTITY, STAGE_LABELS, SUMMARY, WEEKLY, describe, main

TINY = ["horizon_weeks=8", "world.n_practitioners=40", "world.n_organizations=8"]
COPSIM_RUN = shutil.which("copsim-run", path=str(Path(sys.executable).parent))


def test_every_column_the_model_writes_has_a_unit_and_description():
    """A new outcome needs its entry in copsim/experiments/fields.py (WEEKLY or SUMMARY)."""
    run = copsim.simulate(copsim.load_config("safecities", TINY))
    missing_weekly = [c for c in run.timeseries.columns if c not in WEEKLY and c not in IDENTITY]
    missing_summary = [k for k in run.summary if k not in SUMMARY]
    assert not missing_weekly, f"add these weekly columns to fields.WEEKLY: {missing_weekly}"
    assert not missing_summary, f"add these summary outcomes to fields.SUMMARY: {missing_summary}"
    assert all(f.description for f in [*WEEKLY.values(), *SUMMARY.values(), *IDENTITY.values()])


def test_config_keys_take_their_meaning_from_the_parameter_schema():
    fte = describe("coordinator.fte")
    assert fte.unit == "FTE per coordinator" and "coordinator.fte" in fte.description
    share = describe("world.org_types.state_dot.share")
    assert share is not None and "world.org_types.state_dot.share" in share.description
    assert describe("no_such_column") is None


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fields") / "sweep"
    args = ["-m", "scenario=safecities", "coordinator.fte=0,1", *TINY, "replicates=2", f"sweep_dir={out}"]
    assert copsim_run(*args) == 0
    return out


@pytest.mark.parametrize("name", ["runs.parquet", "timeseries.parquet", "conditions.parquet"])
def test_parquet_fields_carry_unit_and_description_metadata(sweep_dir, name):
    for path in [sweep_dir / name, *sweep_dir.glob(f"conditions/*/{name}")]:
        schema = pq.read_schema(path)  # pyarrow alone, no copsim
        meta = {f.name: f.metadata or {} for f in schema}
        undocumented = [n for n, m in meta.items() if not m.get(b"description")]
        assert not undocumented, (path, undocumented)
        assert json.loads(schema.metadata[b"copsim"])["copsim"] == copsim.__version__


def test_stages_are_stored_as_labelled_categories(sweep_dir):
    series = pd.read_parquet(sweep_dir / "timeseries.parquet")
    assert isinstance(series["stage"].dtype, pd.CategoricalDtype)
    assert list(series["stage"].cat.categories) == list(STAGE_LABELS) and series["stage"].cat.ordered
    assert set(series["stage"].dropna()) <= set(STAGE_LABELS)


def test_duckdb_reads_the_files_and_their_field_metadata_without_copsim(sweep_dir):
    duckdb = pytest.importorskip("duckdb")
    runs = str(sweep_dir / "runs.parquet")
    count = duckdb.sql(f"select count(*) from read_parquet('{runs}')").fetchall()[0][0]
    assert count == 3 * 2
    stage = duckdb.sql(
        f"select distinct stage from read_parquet('{sweep_dir / 'timeseries.parquet'}') order by stage"
    ).fetchall()
    assert {s for (s,) in stage} <= set(STAGE_LABELS)
    units = dict(
        duckdb.sql(f"select key, value from parquet_kv_metadata('{runs}') where key = 'copsim'").fetchall()
    )
    assert units  # the table's copsim metadata is there for any Parquet reader


def test_copsim_describe_lists_every_column_with_its_unit(sweep_dir, capsys):
    main([str(sweep_dir / "runs.parquet")])
    out = capsys.readouterr().out
    assert "t50_years" in out and "[years]" in out and "coordinator.fte" in out
    main(["--parameters"])
    assert "coordinator.fte = 0.5" in capsys.readouterr().out
    with pytest.raises(SystemExit) as done:
        main([str(sweep_dir / "sweep.json")])
    assert done.value.code == 2 and "cannot be read as Parquet" in capsys.readouterr().err


def test_a_single_run_writes_a_manifest_with_all_versions_and_one_meaning_of_condition(tmp_path):
    out = tmp_path / "run"
    done = subprocess.run([COPSIM_RUN, "scenario=safecities", *TINY, "replicates=2", f"out={out}"],
                          capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["kind"] == "run"
    assert {"copsim", "numpy", "numba", "mesa", "pandas", "pyarrow", "hydra-core"} <= set(
        manifest["versions"]
    )
    assert manifest["code"]["model_source"] and manifest["root_seed"] == 0
    conditions = manifest["conditions"]
    assert [c["condition"] for c in conditions] == [0, 1]
    assert conditions[1]["keys"]["community.enabled"] is False
    series = pd.read_parquet(out / "timeseries.parquet")
    assert list(series["condition"].unique()) == [0, 1]
    assert pq.read_schema(out / "timeseries.parquet").field("adoption_share").metadata[b"unit"]

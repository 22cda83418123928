"""Figures, report and notebook API built from a small real sweep (run by the experiment runner).

The sweep: rumble_strips scaled down (60 practitioners, 10 organizations, one year), coordinator
FTE {0, 0.5} x sponsorship {0, 1} x external influence p {0.05, 3.0} plus the two baselines,
two replicates. With p = 0.05 half of the states never adopt within the year (censored); with
p = 3.0 (and a low know-how gate, 0.2) they always do, so both kinds of condition are present.
"""

from __future__ import annotations

import html
import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

import copsim.analysis as analysis
from copsim.analysis import cli
from copsim.analysis.comparisons import condition_time
from copsim.analysis.figures import plot_sweep
from copsim.analysis.network_figure import plot_network
from copsim.analysis.report import cond_col, findings, write_report

SWEEP = [
    "-m",
    "scenario=rumble_strips",
    "coordinator.fte=0,0.5",
    "sponsor.level=0,1",
    "adoption.p=0.05,3.0",
    "replicates=2",
    "horizon_weeks=52",
    "world.n_practitioners=60",
    "world.n_organizations=10",
    "adoption.know_how_threshold=0.2",
]
GRID_FIGURES = ("adoption_curves", "t50_heatmap", "dose_response", "conditions", "participation",
                "knowledge_trust_ties")  # fmt: skip


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    """A finished sweep directory written by ``copsim-run -m`` (the experiment runner)."""
    from copsim.experiments.runner import run_sweep

    out = tmp_path_factory.mktemp("analysis") / "sweep"
    assert run_sweep([*SWEEP, f"sweep_dir={out}"]) == 0
    return out


@pytest.fixture(scope="module")
def figures(sweep_dir):
    return plot_sweep(analysis.load(sweep_dir), network=False)


@pytest.fixture(scope="module")
def report_html(sweep_dir, figures):
    path = write_report(analysis.load(sweep_dir), figures=False)
    return path.read_text(encoding="utf-8")


def not_blank(path) -> bool:
    """An image is not blank when its pixels vary (a white or one-colour canvas has no variance)."""
    pixels = imread(path)[..., :3]
    return float(pixels.std()) > 0.02


def test_load_returns_the_tables_for_notebooks(sweep_dir):
    sweep = analysis.load(sweep_dir)
    assert {"coordinator.fte", "sponsor.level", "adoption.p", "community.enabled"} <= set(sweep.swept)
    assert len(sweep.runs) == 10 * 2
    assert len(sweep.conditions) == 10
    assert sweep.timeseries["week"].max() == 52
    assert sweep.manifest["status"] == "complete"
    table = sweep.condition_table()
    assert table["baseline"].sum() == 2
    assert (table.loc[table["baseline"], "label"] == "dissemination only").all()


def test_grid_figures_exist_as_png_and_svg_and_are_not_blank(sweep_dir, figures):
    names = {p.stem for p in figures}
    assert set(GRID_FIGURES) <= names
    for name in GRID_FIGURES:
        png, svg = sweep_dir / "figures" / f"{name}.png", sweep_dir / "figures" / f"{name}.svg"
        assert png.is_file() and svg.is_file()
        assert not_blank(png), name
        assert svg.read_text().lstrip().startswith("<?xml")


def test_retirement_figure_only_when_the_sweep_has_a_wave(figures):
    assert "retirement_wave" not in {p.stem for p in figures}


def test_network_picture_before_and_after(tmp_path, small):
    path = plot_network(small("e_regulation"), tmp_path / "network.png", weeks=8)
    assert not_blank(path)
    assert path.with_suffix(".svg").is_file()


def test_censored_conditions_are_counted_not_averaged(sweep_dir):
    stats = analysis.per_condition(analysis.load(sweep_dir), "t50_years")
    slow = stats[stats["adoption.p"] == 0.05]
    assert (slow["censored"] == slow["n"]).all()  # p = 0.05: never half within a year
    assert slow["value"].isna().all() and not slow["reached"].any()
    fast = stats[(stats["adoption.p"] == 3.0)]
    assert (fast["censored"] == 0).all() and fast["reached"].all()
    # a time is the time by which at least half of the runs got there (all runs counted)
    sweep = analysis.load(sweep_dir)
    for _, row in fast.iterrows():
        assert row["value"] == condition_time(sweep, row).median


def _table_rows(text: str) -> list[str]:
    body = re.search(r'<table id="conditions">.*?<tbody>(.*?)</tbody>', text, re.S).group(1)
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def test_report_table_numbers_are_the_stored_ones_and_times_over_all_runs(sweep_dir, report_html):
    sweep = analysis.load(sweep_dir)
    conditions = pd.read_parquet(sweep_dir / "conditions.parquet")
    rows = _table_rows(report_html)
    assert len(rows) == len(conditions)
    checked = 0
    for row_html, (_, row) in zip(rows, conditions.iterrows(), strict=True):
        values = [float(v) for v in re.findall(r'data-value="([^"]+)"', row_html)]
        time = condition_time(sweep, row)
        if not time.reached:
            assert f"not reached ({time.n_reached} of {time.n} runs got there)" in row_html
        else:
            assert time.median in values
            checked += 1
        assert row[cond_col("final_adoption_share", "mean")] in values
    assert checked >= 4


def test_report_sentences_quote_the_times_over_all_runs_and_the_condition_table(sweep_dir):
    sweep = analysis.load(sweep_dir)
    sentences = findings(sweep)
    assert sentences
    csv = sweep.conditions
    stated = {f"{t.median:.1f}" for t in (condition_time(sweep, r) for _, r in csv.iterrows()) if t.reached}
    pattern = re.compile(
        r"adopt within ([\d.]+) years \(2 runs are too few for a 95 % interval; in 2 of 2 runs"
    )
    quoted = [m.group(1) for s in sentences for m in pattern.finditer(s)]
    assert quoted, sentences
    assert all(q in stated for q in quoted)
    times = [s for s in sentences if "adopt within" in s]
    assert times and not any(re.search(r"[-−]\d", s) for s in times)  # no negative time
    reach = {f"{100 * v:.0f}" for v in csv[cond_col("final_adoption_share", "mean")]}
    shares = [m.group(1) for s in sentences for m in re.finditer(r"(\d+) % of the states have adopted", s)]
    assert shares and all(v in reach for v in shares)
    assert any("states" in s for s in sentences)


def test_conditions_that_never_got_there_are_said_not_reached_in_the_report(report_html):
    text = html.unescape(report_html)
    assert "so no time to 50 % is given" in text
    censored_cells = re.findall(r'<td class="censored"[^>]*>([^<]*)</td>', report_html)
    assert censored_cells and all(c.startswith("not reached (0 of 2 runs got there)") for c in censored_cells)
    assert "Illustrative, not a forecast" in text  # the case's status line, as on the page


def test_report_is_self_contained(report_html):
    assert "http://" not in report_html.replace("http://www.w3.org", "")
    assert "<img" in report_html and 'src="data:image/png;base64,' in report_html
    assert 'src="figures/' not in report_html
    for section in ("The question", "Key findings", "Conditions", "Caveats", "Method"):
        assert f"<h2>{section}</h2>" in report_html


def _run(tool, argv, capsys):
    with pytest.raises(SystemExit) as exc:
        tool(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert "Traceback" not in err
    return err


def test_missing_directory_is_named(tmp_path, capsys):
    err = _run(cli.plot, [str(tmp_path / "nowhere")], capsys)
    assert "nowhere" in err and "no such sweep directory" in err


def test_missing_runs_file_is_named(tmp_path, capsys):
    err = _run(cli.report, [str(tmp_path)], capsys)
    assert "runs.parquet" in err and "missing" in err


def test_corrupt_runs_file_is_named(tmp_path, capsys):
    (tmp_path / "runs.parquet").write_bytes(b"not parquet at all")
    err = _run(cli.plot, [str(tmp_path)], capsys)
    assert "runs.parquet" in err and "corrupt" in err


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("manifest.json", "{not json", "not valid JSON"),
        ("timeseries.parquet", "garbage", "cannot be read as Parquet"),
        ("conditions.parquet", "", "cannot be read as Parquet"),
    ],
)
def test_corrupt_companion_files_are_named(sweep_dir, tmp_path, capsys, name, content, words):
    copy = tmp_path / "copy"
    shutil.copytree(sweep_dir, copy, ignore=shutil.ignore_patterns("conditions", "figures"))
    (copy / name).write_text(content)
    err = _run(cli.report, [str(copy)], capsys)
    assert name in err and words in err


def test_report_without_the_condition_table_says_so(sweep_dir, tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(sweep_dir, copy, ignore=shutil.ignore_patterns("conditions", "figures", "conditions.*"))
    err = _run(cli.report, [str(copy)], capsys)
    assert "conditions.parquet" in err and "missing" in err


def test_weekly_band_is_mean_with_interval(sweep_dir):
    sweep = analysis.load(sweep_dir)
    cond = sweep.condition_table().iloc[0]
    band = analysis.weekly_band(sweep.select(sweep.timeseries, cond), "members")
    assert len(band) == 53
    assert np.all(band["lo"] <= band["mean"] + 1e-12) and np.all(band["mean"] <= band["hi"] + 1e-12)


def test_retirement_wave_figure_when_the_conditions_had_a_wave(sweep_dir, tmp_path):
    sweep = analysis.load(sweep_dir)
    assert not sweep.has_wave
    for condition in sweep.manifest["conditions"]:
        condition["config"]["demography"]["wave"] = True  # as in the retirement_wave experiment
    assert sweep.has_wave
    path = analysis.plot_retirement_wave(sweep, tmp_path)
    assert path is not None and not_blank(path)
    assert any("retirement wave" in s for s in findings(sweep))


def test_report_embeds_sensitivity_and_discovery_results(sweep_dir, figures, tmp_path):
    shutil.copy(sweep_dir / "figures" / "conditions.png", tmp_path / "sobol.png")
    sens = tmp_path / "sensitivity.json"
    sens.write_text('{"sentences": ["Sobol: adoption.q dominates."], "figures": ["sobol.png"]}')
    disc = tmp_path / "discovery.json"
    box = {"limits": {"coordinator.fte": [0.4, 1.0]}, "coverage": 0.7, "density": 0.9}
    disc.write_text(json.dumps({"sentences": ["In 90 % of runs with a coordinator ..."], "boxes": [box]}))
    out = write_report(
        analysis.load(sweep_dir), tmp_path / "r.html", figures=False, sensitivity=sens, discovery=disc
    )
    text = out.read_text()
    assert "What dominates" in text and "Sobol: adoption.q dominates." in text
    assert "What does it take?" in text and "<td>70 %</td><td>90 %</td>" in text
    assert text.count("data:image/png;base64,") == len(figures) + 1

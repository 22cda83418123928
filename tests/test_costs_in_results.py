"""Costs on the command line: dollar columns in runs.parquet, summary.csv and conditions.csv.

Pricing is arithmetic on what a run records (FTE-years, sponsorship level-years), so the checks
are against that arithmetic, done here independently, and against the same runs unpriced.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import copsim_run
from copsim import cli
from copsim.analysis.costs import COST_COLUMNS, CostRates

TINY = ["horizon_weeks=40", "world.n_practitioners=60", "world.n_organizations=10", "replicates=3"]
GRID = ["scenario=safecities", "coordinator.fte=0.25,1.0"]
RATES = {
    "coordinator": 150_000.0,
    "support_staff": 90_000.0,
    "sponsor": 200_000.0,
    "sponsor_fte_at_full": 0.1,
}


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory) -> dict[str, object]:
    """The same small sweep unpriced and priced at :data:`RATES`."""
    root = tmp_path_factory.mktemp("costs")
    priced = [f"costs.{name}={value}" for name, value in RATES.items()]
    assert copsim_run("-m", *GRID, *TINY, f"sweep_dir={root / 'plain'}") == 0
    assert copsim_run("-m", *GRID, *TINY, *priced, f"sweep_dir={root / 'priced'}") == 0
    return {
        name: {
            "runs": pd.read_parquet(root / name / "runs.parquet"),
            "conditions": pd.read_csv(root / name / "conditions.csv"),
        }
        for name in ("plain", "priced")
    }


def test_runs_are_priced_from_what_they_record_and_prices_change_no_outcome(sweeps):
    plain, priced = sweeps["plain"]["runs"], sweeps["priced"]["runs"]
    assert not set(COST_COLUMNS.values()) & set(plain.columns)
    pd.testing.assert_frame_equal(priced[plain.columns], plain)

    community = priced["community.enabled"].astype(bool).to_numpy()
    staff = 3.0 / 6  # safecities' support team: 3 staff serving 6 communities
    expected = {
        "cost_coordinators_usd": priced["coordinator_fte_years"] * RATES["coordinator"],
        "cost_support_usd": np.where(community, staff * 40 / 52 * RATES["support_staff"], 0.0),
        "cost_sponsor_usd": np.where(
            community, priced["sponsor_level_years"] * RATES["sponsor_fte_at_full"] * RATES["sponsor"], 0.0
        ),
    }
    for column, values in expected.items():
        np.testing.assert_allclose(priced[column], values, rtol=1e-12, err_msg=column)
    np.testing.assert_allclose(priced["cost_total_usd"], sum(expected.values()), rtol=1e-12)
    assert (priced.loc[community, "cost_coordinators_usd"] > 0).all()
    assert (priced.loc[~community, "cost_total_usd"] == 0).all()


def test_conditions_carry_the_paired_cost_per_extra_adopter_year(sweeps):
    runs, table = sweeps["priced"]["runs"], sweeps["priced"]["conditions"]
    ratio = table[table["outcome"] == "cost_per_extra_adopter_year_usd"].set_index("condition_id")
    assert set(ratio["unit"]) == {"US dollars per unit-year"}
    base = runs[~runs["community.enabled"].astype(bool)].set_index("replicate")
    for cid, group in runs[runs["community.enabled"].astype(bool)].groupby("condition_id"):
        group = group.set_index("replicate")
        gain = group["adopter_years"] - base.loc[group.index, "adopter_years"]
        row = ratio.loc[cid]
        if (gain < 1.0).any():  # a ratio over a gain near zero is not reported
            assert np.isnan(row["mean"])
        else:
            assert row["mean"] == pytest.approx((group["cost_total_usd"] / gain).mean(), rel=1e-9)
            assert 0 <= row["lo"] <= row["mean"] <= row["hi"]
    baseline_row = ratio[ratio["baseline_id"].isna()]
    assert len(baseline_row) == 1 and np.isnan(baseline_row["mean"]).all()
    assert "cost_per_extra_adopter_year_usd" not in set(sweeps["plain"]["conditions"]["outcome"].dropna())


def test_a_single_run_prices_its_summary_when_asked(tmp_path, capsys):
    out = tmp_path / "run"
    assert copsim_run("scenario=rumble_strips", *TINY, "costs.enabled=true", f"out={out}") == 0
    summary = pd.read_csv(out / "summary.csv")
    rates = CostRates()
    np.testing.assert_allclose(
        summary["cost_coordinators_usd"], summary["coordinator_fte_years"] * rates.coordinator
    )
    assert "total cost (US dollars)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "multirun", "message"),
    [
        (["costs.coordinator=-5"], False, "costs.coordinator: -5.0 is out of range"),
        (["costs.sponsor=lots"], False, "costs.sponsor: 'lots' is not allowed"),
        (["costs.enabled=yes"], False, "costs.enabled: 'yes' is not allowed"),
        (["costs.coordinator=1,2"], True, "run options take one value"),
        (["costs.salary=1"], False, "costs.salary"),
    ],
)
def test_bad_cost_input_stops_with_one_line_and_writes_nothing(tmp_path, capsys, args, multirun, message):
    out = tmp_path / "out"
    where = f"sweep_dir={out}" if multirun else f"out={out}"
    assert copsim_run(*(["-m"] if multirun else []), "scenario=rumble_strips", *TINY, *args, where) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert not out.exists()


def test_cost_per_week_of_time_to_talent_saved_is_paired_and_refused_over_censored_pairs():
    from copsim.experiments.aggregate import condition_table

    def runs(talent_with: list[float]) -> pd.DataFrame:
        rows = []
        for enabled, cost, talent in ((True, 1000.0, talent_with), (False, 0.0, [40.0, 50.0, 60.0])):
            for r in range(3):
                rows.append({"condition_id": f"c{enabled}", "scenario": "company_command",
                             "community.enabled": enabled, "replicate": r, "seed": r,
                             "adopter_years": 0.0, "cost_total_usd": cost,
                             "time_to_talent_weeks": talent[r],
                             "time_to_talent_censored": bool(np.isnan(talent[r]))})  # fmt: skip
        return pd.DataFrame(rows)

    row = condition_table(runs([30.0, 45.0, 40.0])).iloc[0]
    saved = np.array([10.0, 5.0, 20.0])
    assert row["cost_per_week_to_talent_saved_usd_mean"] == pytest.approx((1000 / saved).mean())
    assert np.isnan(row["cost_per_extra_adopter_year_usd_mean"])  # no adopter-years gained
    censored = condition_table(runs([30.0, np.nan, 40.0])).iloc[0]
    assert np.isnan(censored["cost_per_week_to_talent_saved_usd_mean"])


def test_the_pages_exported_command_prices_its_runs_at_the_pages_rates():
    from copsim.app import export

    rates = CostRates(coordinator=150_000.0, sponsor_fte_at_full=0.1)
    command = export.command_line("safecities", ["coordinator.fte=0.5"], 4, rates=rates)
    assert command.endswith(
        "replicates=4 costs.enabled=true costs.coordinator=150000 costs.sponsor_fte_at_full=0.1"
    )
    job = cli.check_single(cli.CommandLine.parse(command.split()[1:]))
    assert job.costs == rates
    assert export.command_line("safecities", [], 4).endswith("replicates=4")  # no rates: no dollars

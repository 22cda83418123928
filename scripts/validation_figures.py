"""Regenerate docs/VALIDATION.md's figures and numbers with one command.

    .venv/bin/python scripts/validation_figures.py            # every pattern
    .venv/bin/python scripts/validation_figures.py bass ring  # some patterns
    .venv/bin/python scripts/validation_figures.py calibration  # the calibration example only

Runs the very ensembles the validation tests run (tests/validation/patterns.py: same scenarios,
overrides, replicates and seeds), draws each pattern's figure into
docs/images/validation/NAME.png, and rewrites the block between ``<!-- numbers:NAME -->`` and
``<!-- /numbers:NAME -->`` in docs/VALIDATION.md with the pattern's numbers and checks.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "validation"))

import patterns  # noqa: E402  (tests/validation is put on the path above)

IMAGES = ROOT / "docs" / "images" / "validation"
DOC = ROOT / "docs" / "VALIDATION.md"
WEEKS = patterns.WEEKS_PER_YEAR


def _band(ax, ens, column, label, color, scale=1.0):
    """Replicate mean and min-max band of a weekly column against years."""
    wide = ens.timeseries.pivot(index="week", columns="replicate", values=column) * scale
    t = wide.index.to_numpy() / WEEKS
    ax.fill_between(t, wide.min(axis=1), wide.max(axis=1), color=color, alpha=0.2, lw=0)
    ax.plot(t, wide.mean(axis=1), color=color, label=label)


def fig_bass(pat, ax):
    for (p, q), (t, model, expected) in pat.data.items():
        ax.plot(t, model, lw=2, alpha=0.7, label=f"model p={p}, q={q}")
        ax.plot(t, expected, "--", color="black", lw=1)
    ax.plot([], [], "--", color="black", lw=1, label="Bass closed form")
    ax.set(xlabel="years", ylabel="adoption share", title="Bass scenario vs the Bass (1969) closed form")
    ax.legend(fontsize=8)


def fig_ring(pat, ax):
    t = pat.data["t"]
    ax.plot(t, pat.data["bass_cf"], "k--", label="Bass closed form")
    ax.plot(t, pat.data["ring_cf"], "k:", label="Fibich & Gibori ring closed form")
    ax.plot(t, pat.data["ring"], lw=2, label="model: ring (k=2)")
    for k, rewiring in patterns.SMALL_WORLDS:
        ax.plot(t, pat.data[(k, rewiring)], lw=1.5, label=f"model: Watts-Strogatz k={k}, rewiring {rewiring}")
    ax.set(
        xlabel="years",
        ylabel="adoption share",
        title=f"Networks of single units, p={patterns.RING_P}, q={patterns.RING_Q}",
    )
    ax.legend(fontsize=8)


def fig_knowledge(pat, ax):
    finals = pat.data["finals"]
    x = np.array([max(r, 0.003) for r in finals])
    means = np.array([v.mean() for v in finals.values()])
    for xi, v in zip(x, finals.values(), strict=True):
        ax.scatter(np.full(v.size, xi), v, color="grey", s=12)
    ax.plot(x, means, "o-", lw=2, label=f"mean knowledge at week {patterns.CJ_WEEK}")
    ax.set_xscale("log")
    ax.set_xticks(x, ["0"] + [str(r) for r in list(finals)[1:]])
    ax.set(
        xlabel="Watts-Strogatz rewiring probability",
        ylabel="mean knowledge",
        title="Exchange alone on a small-world family (Cowan & Jonard 2004 expect a peak in between)",
    )
    ax.title.set_fontsize(9)
    ax.legend(fontsize=8)


def fig_participation(pat, ax):
    names = [*patterns.MATURE_SCENARIOS, *patterns.REPORTED_SCENARIOS]
    bottom = np.zeros(len(names))
    for column, color in (("core_share", "C3"), ("active_share", "C1"), ("peripheral_share", "C0")):
        vals = np.array(
            [pat.data[s].window_mean(column, patterns.MATURE_FROM, patterns.MATURE_TO).mean() for s in names]
        )
        ax.bar(names, vals, bottom=bottom, color=color, label=column.replace("_share", ""))
        bottom += vals
    ax.axhspan(0.10, 0.15, color="C3", alpha=0.15, lw=0, label="Wenger core 10-15 %")
    ax.axhspan(0.10 + 0.15, 0.15 + 0.20, color="C1", alpha=0.15, lw=0, label="core + active 25-35 %")
    ax.set(ylabel="share of members, years 5-10", title="Participation levels in mature communities")
    ax.legend(fontsize=8, loc="upper right")


def fig_mandate(pat, ax):
    rows = pat.data["rows"]
    names = list(rows)
    diffs = [rows[n]["adopter-years, mandated - voluntary"] for n in names]
    ci = [tuple(float(x) for x in rows[n]["95 % CI"].split(" to ")) for n in names]
    x = np.arange(len(names))
    ax.bar(x, diffs, color=["C3" if d < 0 else "C0" for d in diffs])
    ax.errorbar(x, diffs, yerr=[[d - lo for d, (lo, _) in zip(diffs, ci, strict=True)],
                                [hi - d for d, (_, hi) in zip(diffs, ci, strict=True)]],
                fmt="none", color="black", capsize=4)  # fmt: skip
    ax.axhline(0, color="black", lw=0.5)
    ax.set_xticks(x, names)
    ax.set(
        ylabel="adopter-years, mandated - voluntary (paired, 95 % CI)",
        title="Mandated vs voluntary participation",
    )


def fig_community(pat, ax):
    _band(ax, pat.data["community"], "adoption_share", "community", "C0")
    _band(ax, pat.data["baseline"], "adoption_share", "dissemination only", "C3")
    ax.axhline(0.5, color="grey", lw=0.5)
    ax.set(
        xlabel="years",
        ylabel="share of state DOTs adopted",
        title="Rumble Strips: community vs dissemination",
    )
    ax.legend(fontsize=8)


def fig_coordinator(pat, axes):
    ax, ax2 = axes
    for scenario, curve in pat.data["curves"].items():
        fte = sorted(curve)
        ax.plot(fte, [curve[f] for f in fte], "o-", lw=2, label=scenario)
    ax.axhline(0, color="black", lw=0.5)
    ax.set(
        xlabel="coordinator FTE",
        ylabel="adopter-years gained over\ndissemination (same endorsement)",
        title="Coordinator time against the community's demand",
    )
    ax.legend(fontsize=8)
    engaged = pat.data["engaged"]
    weeks = engaged.index.to_numpy() / WEEKS
    ax2.plot(weeks, engaged.to_numpy(), color="grey", lw=0.8)
    ax2.plot(weeks, engaged.mean(axis=1), color="C3", lw=2, label="active + core members (mean)")
    ax2.set(xlabel="years", ylabel="active + core members", title="Rumble Strips without a coordinator")
    ax2.legend(fontsize=8)


def fig_sponsorship(pat, ax):
    scenarios = list(patterns.WITHIN_AGENCY)
    x = np.arange(len(scenarios))
    for i, variant in enumerate(("across boundaries", "within one agency")):
        vals = [100 * pat.data[s][variant] for s in scenarios]
        ax.bar(x + (i - 0.5) * 0.4, [v.mean() for v in vals], 0.4, label=variant)
        for xi, v in zip(x, vals, strict=True):
            ax.scatter(np.full(v.size, xi + (i - 0.5) * 0.4), v, color="black", s=8)
    ax.set_xticks(x, scenarios)
    ax.set(
        ylabel="participation gain from sponsorship (pp)",
        title="Sponsorship (level 0 -> 0.6) across vs within boundaries",
    )
    ax.legend(fontsize=8)


def fig_coaching(pat, ax):
    for (name, ens), color in zip(pat.data["runs"].items(), ("C0", "C3"), strict=True):
        _band(ax, ens, "vitality", name, color)
    ax.axvspan(0, 3, color="grey", alpha=0.1, label="window compared (years 0-3)")
    ax.set(xlabel="years", ylabel="community vitality", title="Rumble Strips with a support team")
    ax.legend(fontsize=8)


def fig_decomposition(pat, ax):
    steps = ["taking part", "learning", "tie exposure"]
    names = list(pat.data)
    x = np.arange(len(names))
    bottom_pos, bottom_neg = np.zeros(len(names)), np.zeros(len(names))
    for step, color in zip(["endorsement", *steps], ("grey", "C3", "C2", "C0"), strict=True):
        values = np.array(
            [pat.data[n].query("outcome == 'adopter_years' and step == @step")["mean"].iloc[0] for n in names]
        )
        base = np.where(values >= 0, bottom_pos, bottom_neg)
        ax.bar(
            x,
            values,
            bottom=base,
            color=color,
            label=step + (" (in the baseline)" if step == "endorsement" else ""),
        )
        bottom_pos += np.maximum(values, 0)
        bottom_neg += np.minimum(values, 0)
    ax.axhline(0, color="black", lw=0.5)
    ax.set_xticks(x, names)
    ax.set(ylabel="adopter-years added, step by step", title="Where the gain comes from (copsim-decompose)")
    ax.legend(fontsize=8)


def fig_series(pat, ax):
    adopters = pat.data["adopters"]
    years = patterns.LAUNCH_YEAR + adopters.index.to_numpy() / WEEKS
    ax.plot(years, adopters.to_numpy(), lw=2, label="model, mean of 8 runs (about 12 states at launch)")
    observed = patterns.OBSERVED_STATES
    ax.scatter(
        list(observed), list(observed.values()), color="black", zorder=3, label="observed (docs/CASES.md)"
    )
    ax.set(
        xlabel="year",
        ylabel="state DOTs using centerline rumble strips",
        title="Rumble Strips against public data",
    )
    ax.legend(fontsize=8)


def fig_board(pat, ax):
    for (name, ens), color in zip(pat.data["runs"].items(), ("grey", "C3", "C0"), strict=True):
        _band(ax, ens, "participation_rate", name, color)
    ax.axvline(patterns.BOARD_DEPARTURE / WEEKS, color="black", lw=0.5)
    ax.set(xlabel="years", ylabel="participation rate", title="Rumble Strips: sponsor leaves at year 3")
    ax.legend(fontsize=8)


def fig_company_command(pat, axes):
    ax, ax2 = axes
    ttt_c, ttt_b = pat.data["ttt"]
    ax.bar(["community", "no community"], [np.median(ttt_c), np.median(ttt_b)], color=["C0", "C3"])
    ax.set(ylabel="median weeks to competence", title="CompanyCommand: time-to-talent")
    runs = pat.data["runs"]
    _band(ax2, runs["true", "true"], "mean_knowledge", "community, wave", "C0")
    _band(ax2, runs["false", "true"], "mean_knowledge", "no community, wave", "C3")
    ax2.plot(
        runs["true", "false"].weekly_mean("mean_knowledge").index / WEEKS,
        runs["true", "false"].weekly_mean("mean_knowledge"),
        "C0--",
        lw=1,
        label="community, no wave",
    )
    ax2.plot(
        runs["false", "false"].weekly_mean("mean_knowledge").index / WEEKS,
        runs["false", "false"].weekly_mean("mean_knowledge"),
        "C3--",
        lw=1,
        label="no community, no wave",
    )
    ax2.set(xlabel="years", ylabel="mean knowledge", title="Retirement wave (years 1-8)")
    ax2.legend(fontsize=8)


FIGURES = {
    "bass": (fig_bass, 1),
    "ring": (fig_ring, 1),
    "knowledge": (fig_knowledge, 1),
    "participation": (fig_participation, 1),
    "mandate": (fig_mandate, 1),
    "community": (fig_community, 1),
    "coordinator": (fig_coordinator, 2),
    "sponsorship": (fig_sponsorship, 1),
    "board": (fig_board, 1),
    "coaching": (fig_coaching, 1),
    "company_command": (fig_company_command, 2),
    "decomposition": (fig_decomposition, 1),
    "series": (fig_series, 1),
}


def calibration_example() -> patterns.Pattern:
    """Recover known Bass p, q with copsim-calibrate, exactly as tests/test_calibration.py does."""
    import shutil
    import tempfile

    import pandas as pd

    import copsim
    from copsim.calibration.cli import main as calibrate_main

    true_p, true_q, units = 0.03, 0.5, "world.n_organizations=1000"
    cfg = copsim.load_config(
        "bass", [units, f"adoption.p={true_p}", f"adoption.q={true_q}", "horizon_weeks=520", "seed=12345"]
    )
    mean = copsim.simulate_ensemble(cfg, 3).timeseries.groupby("week")["adoption_share"].mean()
    years = np.arange(11)
    with tempfile.TemporaryDirectory() as tmp:
        csv, out = Path(tmp) / "observed.csv", Path(tmp) / "fit"
        pd.DataFrame({"year": 2000 + years, "adoption_share": mean.loc[years * 52].to_numpy()}).to_csv(
            csv, index=False
        )
        params = "adoption.p:0.005:0.1,adoption.q:0.1:1.0"
        argv = ["--scenario", "bass", "--data", str(csv), "--params", params, "--trials", "80"]
        calibrate_main([*argv, "--replicates", "1", "--set", units, "--out", str(out)])
        report = json.loads((out / "calibration.json").read_text())
        shutil.copy(out / "fit.png", IMAGES / "calibration.png")
    pat = patterns.Pattern("calibration")
    best, spread = report["best"], report["good_fits"]["spread"]
    pat.numbers.update(
        {
            "true p / fitted p": f"{true_p} / {best['adoption.p']:.4f}",
            "true q / fitted q": f"{true_q} / {best['adoption.q']:.4f}",
            "RMSE of the best fit (share)": report["best_loss"],
            "p over the best 10 % of trials": "{min:.4f} to {max:.4f}".format(**spread["adoption.p"]),
            "q over the best 10 % of trials": "{min:.4f} to {max:.4f}".format(**spread["adoption.q"]),
        }
    )
    pat.checks["p within 0.008 of the truth"] = abs(best["adoption.p"] - true_p) <= 0.008
    pat.checks["q within 0.08 of the truth"] = abs(best["adoption.q"] - true_q) <= 0.08
    pat.checks["truth inside the spread of good fits"] = (
        spread["adoption.p"]["min"] <= true_p <= spread["adoption.p"]["max"]
        and spread["adoption.q"]["min"] <= true_q <= spread["adoption.q"]["max"]
    )
    return pat


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


def numbers_block(pat) -> str:
    """Markdown for a pattern's numbers and checks (each with its source, expected range,
    measured value and verdict)."""
    lines = ["| quantity | value |", "|---|---|"]
    lines += [f"| {k} | {_format(v)} |" for k, v in pat.numbers.items()]
    if pat.criteria:
        lines += ["", "| check | source | expected | measured | verdict |", "|---|---|---|---|---|"]
        lines += [
            f"| {c.name} | {c.source} | {c.expected} | {c.measured} | {'pass' if c.passed else '**fails**'} |"
            for c in pat.criteria
        ]
    elif pat.checks:
        lines += ["", "| check | result |", "|---|---|"]
        lines += [f"| {k} | {'pass' if ok else '**fails**'} |" for k, ok in pat.checks.items()]
    return "\n".join(lines)


def write_numbers(doc: str, name: str, block: str) -> str:
    """Replace the block between the pattern's markers (which must exist) in the document."""
    pattern = re.compile(rf"(<!-- numbers:{name} -->\n).*?(<!-- /numbers:{name} -->)", re.S)
    if not pattern.search(doc):
        raise SystemExit(f"docs/VALIDATION.md has no <!-- numbers:{name} --> block")
    return pattern.sub(lambda m: m.group(1) + block + "\n" + m.group(2), doc)


def main(names: list[str]) -> None:
    unknown = sorted(set(names) - set(patterns.PATTERNS) - {"calibration"})
    if unknown:
        raise SystemExit(
            f"unknown pattern(s) {', '.join(unknown)}; choose from {', '.join(patterns.PATTERNS)}"
        )
    IMAGES.mkdir(parents=True, exist_ok=True)
    doc = DOC.read_text()
    for name in names or [*patterns.PATTERNS, "calibration"]:
        if name == "calibration":  # copsim-calibrate draws its own figure
            pat = calibration_example()
        else:
            pat = patterns.PATTERNS[name]()
            draw, panels = FIGURES[name]
            fig, axes = plt.subplots(1, panels, figsize=(6.5 * panels, 4.2))
            draw(pat, axes)
            fig.tight_layout()
            fig.savefig(IMAGES / f"{name}.png", dpi=110)
            plt.close(fig)
        doc = write_numbers(doc, name, numbers_block(pat))
        failed = [k for k, ok in pat.checks.items() if not ok]
        print(f"{name}: {len(pat.checks) - len(failed)}/{len(pat.checks)} checks pass", flush=True)
    DOC.write_text(doc)


if __name__ == "__main__":
    main(sys.argv[1:])

"""Figures of a sweep, each a function of a :class:`~copsim.analysis.sweep.Sweep` and a directory.

Every function writes ``NAME.png`` and ``NAME.svg`` into ``outdir`` and returns the PNG path, or
returns None when the sweep does not contain what the figure needs (for example no heatmap
without both coordinator FTE and sponsorship swept). :func:`plot_sweep` calls all that fit.

Conventions: time in years since launch; a time to a threshold is the time by which at least half
of the runs got there (:mod:`copsim.analysis.times`, as on the page and in the report) with its
95 % interval, other outcomes the mean with its 95 % interval, as bands or bars; the
dissemination-only baseline always grey and dashed, one colour per condition that is the same in
every figure, and a time fewer than half of the runs reached within the horizon hatched or
marked, never drawn as a number.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .comparisons import fastest
from .summaries import per_condition, weekly_band
from .sweep import Sweep, key_label, unit_noun

BASELINE_COLOUR = "#7f7f7f"
CENSORED_COLOUR = "#d9d9d9"
FTE, SPONSOR = "coordinator.fte", "sponsor.level"
OUTCOME_LABELS = {
    "t50_years": "years to 50 % adoption",
    "final_adoption_share": "adoption share at the horizon",
    "adopter_years": "adopter-years (unit-years)",
    "time_to_talent_weeks": "time-to-talent (weeks)",
    "knowledge_retained": "knowledge retained (end / peak)",
    "mean_knowledge": "mean knowledge (0-1)",
    "cross_boundary_trust": "mean cross-boundary trust (0-1)",
    "cross_boundary_ties": "cross-boundary ties",
}

plt.rcParams.update({"figure.dpi": 110, "savefig.dpi": 110, "axes.grid": True, "grid.alpha": 0.3})


def _save(fig: plt.Figure, outdir: Path, name: str) -> Path:
    outdir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tight_layout may give up on long labels; bbox_inches copes
        fig.tight_layout()
    png = outdir / f"{name}.png"
    fig.savefig(png, bbox_inches="tight")
    fig.savefig(outdir / f"{name}.svg", bbox_inches="tight")
    plt.close(fig)
    return png


def condition_colours(sweep: Sweep) -> dict[int, str]:
    """A fixed colour per condition id: grey for baselines, a viridis ramp for the rest."""
    table = sweep.condition_table()
    others = table.loc[~table["baseline"], "condition_id"].tolist()
    ramp = plt.get_cmap("viridis")(np.linspace(0.0, 0.9, max(len(others), 1)))
    colours = {cid: matplotlib.colors.to_hex(ramp[i]) for i, cid in enumerate(others)}
    colours.update({cid: BASELINE_COLOUR for cid in table.loc[table["baseline"], "condition_id"]})
    return colours


def representative(panel: pd.DataFrame, k: int = 4) -> pd.DataFrame:
    """The panel's baselines and up to ``k`` other conditions spanning its range of ``value``
    (adopter-years in :func:`adoption_panels`), so curves stay readable in a large sweep."""
    base = panel[panel["baseline"]]
    rest = panel[~panel["baseline"]].sort_values("value")
    if len(rest) > k:
        rest = rest.iloc[np.unique(np.linspace(0, len(rest) - 1, k).round().astype(int))]
    return pd.concat([base, rest])


def adoption_panels(sweep: Sweep) -> list[tuple[str, pd.DataFrame]]:
    """Panels (per scenario and per other swept key) of per-condition adopter-years statistics."""
    return sweep.panels(per_condition(sweep, "adopter_years"), within=(FTE, SPONSOR))


def _scenario_of(panel: pd.DataFrame, sweep: Sweep) -> str:
    return str(panel["scenario"].iloc[0]) if "scenario" in panel and len(panel) else sweep.scenarios[0]


def _grid_axes(n: int, width: float = 5.2, height: float = 3.8, sharey: bool = True):
    cols = min(n, 2)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False, sharey=sharey)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def _band(ax, band: pd.DataFrame, colour: str, label: str, baseline: bool) -> None:
    ax.plot(band["years"], band["mean"], color=colour, label=label, linestyle="--" if baseline else "-")
    ax.fill_between(band["years"], band["lo"], band["hi"], color=colour, alpha=0.2, linewidth=0)


def error_bars(rows: pd.DataFrame | pd.Series, top: float) -> np.ndarray:
    """``xerr``/``yerr`` for values with 95 % intervals: none where there is no interval (too few
    runs for one), an interval reaching past the horizon drawn up to ``top``."""
    value = np.atleast_1d(np.asarray(rows["value"], float))
    lo = np.atleast_1d(np.asarray(rows["lo"], float))
    hi = np.minimum(np.atleast_1d(np.asarray(rows["hi"], float)), top)
    below, above = np.nan_to_num(value - lo), np.nan_to_num(hi - value)
    return np.vstack([np.maximum(below, 0), np.maximum(above, 0)])


def _need_timeseries(sweep: Sweep, *columns: str) -> bool:
    return sweep.timeseries is not None and all(c in sweep.timeseries for c in columns)


# ---------------------------------------------------------------------------------- figures
def plot_adoption_curves(sweep: Sweep, outdir: Path) -> Path | None:
    """Adoption share over time per condition with 95 % bands, baseline dashed grey; a panel per
    scenario (and per other swept key), at most five conditions plus the baseline per panel."""
    if not _need_timeseries(sweep, "adoption_share"):
        return None
    colours = condition_colours(sweep)
    panels = adoption_panels(sweep)
    fig, axes = _grid_axes(len(panels))
    for ax, (title, panel) in zip(axes, panels, strict=True):
        for _, cond in representative(panel, k=5).iterrows():
            band = weekly_band(sweep.select(sweep.timeseries, cond), "adoption_share")
            _band(ax, band, colours[cond["condition_id"]], cond["label"], bool(cond["baseline"]))
        ax.axhline(0.5, color="black", linewidth=0.6, linestyle=":")
        ax.set(
            title=f"{title}: adoption",
            xlabel="years since launch",
            ylabel=f"share of {unit_noun(_scenario_of(panel, sweep))} that adopted",
            ylim=(0, 1),
        )
        ax.legend(loc="upper left", fontsize=7, frameon=False)
    return _save(fig, outdir, "adoption_curves")


def plot_t50_heatmap(sweep: Sweep, outdir: Path) -> Path | None:
    """Years to 50 % adoption over coordinator FTE x sponsorship, a panel per scenario.

    A cell is the condition's time over all its runs (the time by which at least half of them
    had half of the units adopting; :func:`copsim.analysis.times.summarize_times`, as on the
    page and in the report). Cells where fewer than half of the runs got there are hatched grey
    and say how many did.

    The colour scale runs from 0 to the horizon, the whole range a time can take, so a few
    tenths of a year (often within chance) look as small as they are; the baseline's time is
    marked on the colour bar. Cells that cannot be told apart from the fastest (the paired 95 %
    interval of the difference includes zero, :func:`copsim.analysis.comparisons.fastest`) are
    outlined and marked ``≈``; the fastest is marked ``★`` only when every other cell is slower
    beyond chance.
    """
    if not {FTE, SPONSOR} <= set(sweep.swept):
        return None
    stats = per_condition(sweep, "t50_years")
    grid_part = stats[~stats["baseline"]]
    if grid_part[FTE].nunique() < 2 or grid_part[SPONSOR].nunique() < 2:
        return None
    vmin, vmax = 0.0, sweep.horizon_years
    panels = sweep.panels(stats, within=(FTE, SPONSOR))
    fig, axes = _grid_axes(len(panels), width=5.4, height=4.2, sharey=False)
    cmap = plt.get_cmap("viridis_r")
    image = None
    baselines = []
    for ax, (title, panel) in zip(axes, panels, strict=True):
        part = panel[~panel["baseline"]].dropna(subset=[FTE, SPONSOR])
        baselines += [v for v in panel.loc[panel["baseline"] & panel["reached"], "value"]]
        group = fastest(sweep, part)
        near = set() if group is None else {row["condition_id"] for row in group.peers}
        best = None if group is None else group.best["condition_id"]
        ftes, levels = sorted(part[FTE].unique()), sorted(part[SPONSOR].unique())
        grid = np.full((len(levels), len(ftes)), np.nan)
        for _, row in part.iterrows():
            i, j = levels.index(row[SPONSOR]), ftes.index(row[FTE])
            if row["reached"]:
                grid[i, j] = row["value"]
            else:
                ax.add_patch(
                    plt.Rectangle(
                        (j - 0.5, i - 0.5), 1, 1, facecolor=CENSORED_COLOUR, hatch="///", edgecolor="white"
                    )
                )
                reached = row["n"] - row["censored"]
                ax.text(j, i, f"not reached\n{reached}/{row['n']} runs", ha="center", va="center", fontsize=6)
            if row["condition_id"] in near or (row["condition_id"] == best and near):
                ax.add_patch(plt.Rectangle((j - 0.47, i - 0.47), 0.94, 0.94, fill=False, edgecolor="black",
                                           linewidth=1.4, linestyle="--"))  # fmt: skip
        image = ax.imshow(grid, origin="lower", cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
        for _, row in part.iterrows():
            i, j = levels.index(row[SPONSOR]), ftes.index(row[FTE])
            if not row["reached"]:
                continue
            mark = " ★" if row["condition_id"] == best and not near else " ≈" if (
                row["condition_id"] in near or row["condition_id"] == best) else ""  # fmt: skip
            shade = (row["value"] - vmin) / (vmax - vmin)
            ax.text(j, i, f"{row['value']:.1f}{mark}", ha="center", va="center", fontsize=7,
                    color="white" if shade > 0.6 else "black")  # fmt: skip
        ax.set_xticks(range(len(ftes)), [f"{v:g}" for v in ftes])
        ax.set_yticks(range(len(levels)), [f"{v:g}" for v in levels])
        ax.set(xlabel="coordinator FTE", ylabel="sponsorship level (0-1)", title=title)
        ax.grid(False)
    bar = fig.colorbar(image, ax=axes, label="years to 50 % adoption (over all runs)", shrink=0.8)
    for value in baselines:
        bar.ax.axhline(value, color="black", linewidth=1.5)
    handles = [
        Patch(
            facecolor=CENSORED_COLOUR, hatch="///", label="not reached: fewer than half of the runs got there"
        ),
        Patch(fill=False, edgecolor="black", linestyle="--", label="≈ cannot be told apart from the fastest"),
        Line2D([], [], color="black", label="on the colour bar: dissemination alone"),
    ]
    fig.legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), fontsize=8, frameon=False, ncol=1
    )
    outdir.mkdir(parents=True, exist_ok=True)
    fig.savefig(outdir / "t50_heatmap.png", bbox_inches="tight")
    fig.savefig(outdir / "t50_heatmap.svg", bbox_inches="tight")
    plt.close(fig)
    return outdir / "t50_heatmap.png"


def plot_dose_response(sweep: Sweep, outdir: Path) -> Path | None:
    """Outcome vs coordinator FTE, one line per sponsorship level, with 95 % intervals.

    Top row: years to 50 % adoption over all runs (conditions where fewer than half of the runs
    got there drawn as open triangles at the horizon, labelled "not reached"); bottom row:
    adoption share at the horizon (never censored). The baseline is a dashed grey line (where
    it is reached).
    """
    if FTE not in sweep.swept:
        return None
    outcomes = ["t50_years", "final_adoption_share"]
    stats = {o: per_condition(sweep, o) for o in outcomes}
    panels = {o: sweep.panels(stats[o], within=(FTE, SPONSOR)) for o in outcomes}
    n = len(panels[outcomes[0]])
    fig, axes = plt.subplots(2, n, figsize=(4.6 * n, 7.2), squeeze=False)
    cmap = plt.get_cmap("plasma")
    for row, outcome in enumerate(outcomes):
        for col, (title, panel) in enumerate(panels[outcome]):
            ax = axes[row, col]
            base, part = panel[panel["baseline"]], panel[~panel["baseline"]]
            levels = sorted(part[SPONSOR].dropna().unique()) if SPONSOR in part else [None]
            for k, level in enumerate(levels):
                line = part if level is None else part[part[SPONSOR] == level]
                line = line.sort_values(FTE)
                colour = cmap(0.1 + 0.75 * k / max(len(levels) - 1, 1))
                ok = line[line["reached"]]
                label = "all" if level is None else f"sponsorship {level:g}"
                ax.errorbar(ok[FTE], ok["value"], yerr=error_bars(ok, sweep.horizon_years),
                            color=colour, marker="o", capsize=3, label=label)  # fmt: skip
                cens = line[~line["reached"]]
                if len(cens) and outcome == "t50_years":
                    ax.scatter(cens[FTE], np.full(len(cens), sweep.horizon_years), marker="^",
                               facecolors="none", edgecolors=colour)  # fmt: skip
            if outcome == "t50_years":
                ax.axhline(sweep.horizon_years, color="black", linewidth=0.6, linestyle=":")
                ax.set_ylim(0, sweep.horizon_years * 1.08)
                ax.text(0.01, sweep.horizon_years, " not reached ▵", fontsize=7, va="bottom",
                        transform=ax.get_yaxis_transform())  # fmt: skip
            for _, b in base.iterrows():
                if b["reached"]:
                    ax.axhline(b["value"], color=BASELINE_COLOUR, linestyle="--", label="dissemination only")
            ax.set(xlabel="coordinator FTE", ylabel=OUTCOME_LABELS[outcome], title=title)
            if outcome == "final_adoption_share":
                ax.set_ylim(0, 1)
            ax.legend(fontsize=7, frameon=False)
    return _save(fig, outdir, "dose_response")


def plot_condition_bars(sweep: Sweep, outdir: Path) -> Path | None:
    """Every condition's t50 and adoption share at the horizon as bars with 95 % intervals.

    The fallback comparison for sweeps that are not a coordinator x sponsorship grid (mandate,
    sponsor turnover, support-team capacity). Times are over all runs; where fewer than half of
    the runs reached 50 % the bar is hatched and says how many did.
    """
    table = sweep.condition_table()
    if len(table) > 40:
        return None
    colours = condition_colours(sweep)
    t50, share = per_condition(sweep, "t50_years"), per_condition(sweep, "final_adoption_share")
    names = [f"{r.scenario}: {r.label}" if "scenario" in table else r.label for r in table.itertuples()]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 0.4 * len(table) + 1.8), sharey=True)
    y = np.arange(len(table))
    for i, row in t50.iterrows():
        colour = colours[row["condition_id"]]
        if not row["reached"]:
            ax1.barh(i, sweep.horizon_years, color=CENSORED_COLOUR, hatch="///", edgecolor="white")
            ax1.text(0.1, i, f"not reached: {row['n'] - row['censored']}/{row['n']} runs reached 50 %",
                     va="center", fontsize=7)  # fmt: skip
        else:
            ax1.barh(i, row["value"], xerr=error_bars(row, sweep.horizon_years), color=colour, capsize=3)
    for i, row in share.iterrows():
        ax2.barh(i, row["value"], xerr=error_bars(row, 1.0), color=colours[row["condition_id"]], capsize=3)
    ax1.set_yticks(y, names, fontsize=7)
    ax1.invert_yaxis()
    ax1.set(xlabel="years to 50 % adoption (over all runs, 95 % interval)", title="speed of adoption")
    ax2.set(xlabel="adoption share at the horizon", xlim=(0, 1), title="reach")
    return _save(fig, outdir, "conditions")


def plot_participation(sweep: Sweep, outdir: Path) -> Path | None:
    """Stacked core / active / peripheral / non-member counts over time (mean across replicates)
    for the condition with the most adopter-years in each panel."""
    parts = ["core", "active", "peripheral", "non_members"]
    if not _need_timeseries(sweep, *parts):
        return None
    colours = ["#08306b", "#2171b5", "#6baed6", "#e5e5e5"]
    panels = adoption_panels(sweep)
    fig, axes = _grid_axes(len(panels), sharey=False)
    for ax, (title, panel) in zip(axes, panels, strict=True):
        cond = representative(panel).iloc[-1]
        frame = sweep.select(sweep.timeseries, cond).groupby("week")[parts].mean()
        years = frame.index.to_numpy() / 52.0
        ax.stackplot(years, frame.to_numpy().T, labels=["core", "active", "peripheral", "non-members"],
                     colors=colours)  # fmt: skip
        ax.set(title=f"{title}\n{cond['label']}", xlabel="years since launch", ylabel="practitioners")
        ax.title.set_fontsize(9)
        ax.set_xlim(years[0], years[-1])
        ax.legend(loc="lower right", fontsize=7)
    return _save(fig, outdir, "participation")


def plot_network_outcomes(sweep: Sweep, outdir: Path) -> Path | None:
    """Mean knowledge, cross-boundary trust and cross-boundary ties over time with 95 % bands;
    a row per panel (scenario and other swept keys), the baseline dashed grey."""
    columns = ["mean_knowledge", "cross_boundary_trust", "cross_boundary_ties"]
    if not _need_timeseries(sweep, *columns):
        return None
    colours = condition_colours(sweep)
    panels = adoption_panels(sweep)
    fig, axes = plt.subplots(len(panels), 3, figsize=(13, 3.4 * len(panels)), squeeze=False)
    for r, (title, panel) in enumerate(panels):
        conds = representative(panel, k=3)
        for c, column in enumerate(columns):
            ax = axes[r, c]
            for _, cond in conds.iterrows():
                band = weekly_band(sweep.select(sweep.timeseries, cond), column)
                _band(ax, band, colours[cond["condition_id"]], cond["label"], bool(cond["baseline"]))
            ax.set(title=title, xlabel="years since launch", ylabel=OUTCOME_LABELS[column])
        axes[r, 0].legend(fontsize=7, frameon=False)
    return _save(fig, outdir, "knowledge_trust_ties")


def plot_retirement_wave(sweep: Sweep, outdir: Path) -> Path | None:
    """Time-to-talent and knowledge retained per condition (95 % intervals) when the sweep
    includes a retirement wave, plus mean knowledge over time; censored time-to-talent hatched."""
    if not sweep.has_wave:
        return None
    colours = condition_colours(sweep)
    ttt, kept = per_condition(sweep, "time_to_talent_weeks"), per_condition(sweep, "knowledge_retained")
    labels = [f"{r.scenario}: {r.label}" if "scenario" in ttt else r.label for r in ttt.itertuples()]
    fig, axes = plt.subplots(1, 3, figsize=(15, max(0.45 * len(ttt) + 2.6, 4.2)))
    for i, row in ttt.iterrows():
        if not row["reached"]:
            axes[0].barh(i, 0, color=CENSORED_COLOUR)
            text = (
                f"not reached: in {row['censored']}/{row['n']} runs fewer than half of hires became competent"
            )
            axes[0].text(0.02, i, text, va="center", fontsize=7, transform=axes[0].get_yaxis_transform())
        else:
            bars = error_bars(row, sweep.horizon_years * 52)
            axes[0].barh(i, row["value"], xerr=bars, color=colours[row["condition_id"]], capsize=3)
    for i, row in kept.iterrows():
        axes[1].barh(
            i, row["value"], xerr=error_bars(row, np.inf), color=colours[row["condition_id"]], capsize=3
        )
    for ax in axes[:2]:
        ax.set_yticks(range(len(labels)), labels if ax is axes[0] else [""] * len(labels), fontsize=7)
        ax.invert_yaxis()
    axes[0].set(xlabel="time-to-talent of new hires (weeks)", title="time-to-talent")
    axes[1].set(xlabel="knowledge retained (end / peak)", title="knowledge retained")
    if _need_timeseries(sweep, "mean_knowledge"):
        for _, cond in sweep.condition_table().iterrows():
            band = weekly_band(sweep.select(sweep.timeseries, cond), "mean_knowledge")
            _band(axes[2], band, colours[cond["condition_id"]], cond["label"], bool(cond["baseline"]))
        axes[2].set(xlabel="years since launch", ylabel=OUTCOME_LABELS["mean_knowledge"],
                    title="knowledge through the wave")  # fmt: skip
        axes[2].legend(fontsize=7, frameon=False)
    return _save(fig, outdir, "retirement_wave")


FIGURES = (
    plot_adoption_curves,
    plot_t50_heatmap,
    plot_dose_response,
    plot_condition_bars,
    plot_participation,
    plot_network_outcomes,
    plot_retirement_wave,
)


def plot_sample_scatter(sweep: Sweep, outdir: Path) -> Path | None:
    """For a sampled design (LHS, Morris, Sobol; one condition per point): years to 50 % adoption
    against each sampled input, runs that never reached 50 % as open triangles at the horizon."""
    inputs = [k for k in sweep.swept if sweep.runs[k].nunique() > 1][:9]
    if not inputs or "t50_years" not in sweep.runs:
        return None
    runs = sweep.runs
    reached = runs["t50_years"].notna().to_numpy()
    cols = min(len(inputs), 3)
    rows = int(np.ceil(len(inputs) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False, sharey=True)
    for ax in axes.flat[len(inputs) :]:
        ax.set_visible(False)
    for ax, key in zip(axes.flat, inputs, strict=False):
        x = runs[key].astype(float).to_numpy()
        ax.scatter(x[reached], runs["t50_years"].to_numpy()[reached], s=10, color="#1b6ca8", label="reached")
        ax.scatter(x[~reached], np.full((~reached).sum(), sweep.horizon_years), s=14, marker="^",
                   facecolors="none", edgecolors="#d62728", label="not reached (censored)")  # fmt: skip
        ax.set(xlabel=key_label(key), ylabel="years to 50 % adoption")
    axes.flat[0].legend(fontsize=7, frameon=False)
    fig.suptitle(f"{len(runs)} sampled runs: time to 50 % adoption against each input", fontsize=10)
    return _save(fig, outdir, "sample_scatter")


def plot_sweep(sweep: Sweep, outdir: Path | None = None, network: bool = True) -> list[Path]:
    """Write every figure that fits ``sweep`` into ``outdir`` (default ``DIR/figures``); return PNG paths.

    A sampled design (``manifest.json`` kind ``sample``: LHS, Morris, Sobol) gets the sample
    scatter instead of the grid figures.
    """
    outdir = Path(outdir) if outdir is not None else sweep.path / "figures"
    figures = (plot_sample_scatter,) if sweep.manifest.get("kind") == "sample" else FIGURES
    written = [p for fig in figures if (p := fig(sweep, outdir)) is not None]
    if network:
        from .network_figure import plot_network_for_sweep

        written.append(plot_network_for_sweep(sweep, outdir))
    return written


def label_of(key: str) -> str:
    """Axis label of a swept key (re-exported for notebooks)."""
    return key_label(key)

"""A self-contained HTML report of a sweep for a policy reader (figures embedded, works offline).

Sections: the question; the scenarios and levers compared; key findings as plain sentences;
the conditions table; what dominates (sensitivity analysis) and what it takes (scenario
discovery) when those results are present; caveats (censoring, replicates); method (model
summary, seeds, versions).

The report says things the way the dashboard does:

* a time to a threshold (50 % adoption, time-to-talent) is the time by which at least half of
  the condition's runs got there, computed from ``runs.parquet`` by
  :func:`copsim.analysis.times.summarize_times`; runs that did not get there are counted, and a
  condition where fewer than half did is "not reached", never given a number;
* a condition is called faster than the baseline, or the fastest of the sweep, only when the
  95 % interval of the run-by-run (paired) difference excludes zero
  (:mod:`copsim.analysis.comparisons`); otherwise the finding says the conditions cannot be told
  apart with this many runs;
* each scenario's findings carry its status line (calibrated or illustrative,
  :func:`copsim.analysis.case_status.case_status`).

Every other number (adoption share at the horizon, members, trust, knowledge retained) is read
from the condition table (``conditions.parquet``, so it equals the stored one, rounded for
reading). Table cells carry the unrounded value in ``data-value``.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from .case_status import case_status
from .comparisons import condition_time, fastest, paired_between
from .figures import plot_sweep
from .sweep import BASELINE_KEY, LEVER_PREFIXES, Sweep, SweepError, _find, key_label, pct, unit_noun
from .times import PairedTimes, TimeSummary

#: outcomes the report states as times over all runs (from runs.parquet), with their unit
TIME_OUTCOMES = {"t50_years": "years", "time_to_talent_weeks": "weeks"}

#: the outcomes the report's table shows, with their labels and decimals
TABLE_OUTCOMES = {
    "t50_years": ("years to 50 % adoption", 1),
    "final_adoption_share": ("adoption share at the horizon", 2),
    "final_members": ("members at the horizon", 0),
    "cross_boundary_trust": ("cross-boundary trust", 2),
    "time_to_talent_weeks": ("time-to-talent (weeks)", 0),
    "knowledge_retained": ("knowledge retained", 2),
}


# ---------------------------------------------------------------------------- the condition table
def cond_col(outcome: str, stat: str) -> str:
    """Column of the condition table (``conditions.parquet``) holding ``stat`` of ``outcome``.

    ``stat`` is one of ``mean``, ``lo``, ``hi`` (95 % interval), ``censored`` (share of runs
    censored), ``diff``, ``diff_lo``, ``diff_hi`` (paired difference to the baseline, condition
    minus baseline, with its 95 % interval).
    """
    return {
        "mean": f"{outcome}_mean",
        "lo": f"{outcome}_lo",
        "hi": f"{outcome}_hi",
        "censored": f"{outcome}_censored_share",
        "diff": f"{outcome}_diff_mean",
        "diff_lo": f"{outcome}_diff_lo",
        "diff_hi": f"{outcome}_diff_hi",
    }[stat]


def value(row: pd.Series, outcome: str, stat: str) -> float:
    """A statistic of ``row`` as float (NaN when the column is absent or empty)."""
    column = cond_col(outcome, stat)
    if column not in row or pd.isna(row[column]):
        return math.nan
    return float(row[column])


# ---------------------------------------------------------------------------- sentences
def fte_phrase(fte: float) -> str:
    """Coordinator time in words ("a half-time coordinator")."""
    named = {0.0: "no coordinator time", 0.25: "a quarter-time coordinator", 0.5: "a half-time coordinator",
             0.75: "a three-quarter-time coordinator", 1.0: "a full-time coordinator"}  # fmt: skip
    return named.get(round(float(fte), 3), f"a coordinator at {fte:g} FTE")


def sponsor_phrase(level: float) -> str:
    """Sponsorship in words ("strong sponsorship (level 1)")."""
    level = float(level)
    if level == 0:
        return "no sponsorship"
    word = "weak" if level <= 0.25 else "moderate" if level < 0.75 else "strong"
    return f"{word} sponsorship (level {level:g})"


def describe(row: pd.Series | dict, swept: list[str]) -> str:
    """The levers of a condition as a phrase: "a half-time coordinator and strong sponsorship (level 1)"."""
    row = dict(row)
    if BASELINE_KEY in row and not _enabled(row[BASELINE_KEY]):
        return "dissemination alone"
    parts = []
    for key in swept:
        if key == BASELINE_KEY or key not in row or pd.isna(row[key]):
            continue
        v = row[key]
        if key == "coordinator.fte":
            parts.append(fte_phrase(v))
        elif key == "sponsor.level":
            parts.append(sponsor_phrase(v))
        elif key == "sponsor.mandate":
            parts.append("mandated participation" if _enabled(v) else "voluntary participation")
        elif key == "sponsor.board":
            parts.append("a sponsor board" if _enabled(v) else "no sponsor board")
        elif key == "demography.wave":
            parts.append("a retirement wave" if _enabled(v) else "no retirement wave")
        elif isinstance(v, (bool, np.bool_)):
            parts.append(f"{key_label(key)} {'on' if v else 'off'}")
        else:
            parts.append(
                f"{key_label(key)} {v:g}" if isinstance(v, (int, float)) else f"{key_label(key)} {v}"
            )
    if not parts:
        return "the community as configured"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _enabled(v) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "yes")
    return bool(v)


def time_text(value: float, unit: str) -> str:
    return f"{value:.0f} weeks" if unit == "weeks" else f"{value:.1f} years"


def time_range(lo: float, hi: float, unit: str, horizon: float) -> str:
    """``6.9–7.8 years``; an end past the horizon said as such."""
    if math.isinf(hi):
        return f"{time_text(lo, unit)} to beyond {horizon:.0f} years"
    number = f"{lo:.0f}" if unit == "weeks" else f"{lo:.1f}"
    return f"{number}–{time_text(hi, unit)}"


def time_phrase(t: TimeSummary, unit: str, horizon: float) -> str:
    """``7.3 years (95 % interval 6.9–7.8 years; in 6 of 8 runs 6.0–8.9 years)``, as on the page."""
    sure = (
        f"95 % interval {time_range(t.lo, t.hi, unit, horizon)}"
        if t.sure
        else f"{t.n} runs are too few for a 95 % interval"
    )
    spread = f"in {t.n_middle} of {t.n} runs {time_range(t.runs_lo, t.runs_hi, unit, horizon)}"
    if math.isinf(t.runs_lo):
        spread = f"in {t.n_middle} of {t.n} runs beyond {horizon:.0f} years"
    text = f"{time_text(t.median, unit)} ({sure}; {spread})"
    if t.n_not_reached:
        text += f", not within {horizon:.0f} years in {t.n_not_reached} of {t.n} runs"
    return text


def paired_phrase(paired: PairedTimes, unit: str, against: str) -> str:
    """Sooner or later than ``against`` beyond chance, or that the two cannot be told apart."""
    counts = f"sooner in {paired.first_sooner} of {paired.n} paired runs, later in {paired.first_later}"
    if paired.neither:
        counts += f", neither got there in {paired.neither}"
    if paired.told_apart:
        word = "sooner" if paired.first_surely_sooner else "later"
        size = abs(paired.median)
        amount = "" if math.isinf(size) else f" by {time_text(size, unit)} in the middle pair"
        return f"{word} than {against} beyond chance{amount} ({counts})"
    return f"cannot be told apart from {against} with {paired.n} runs ({counts})"


def t50_sentence(
    sweep: Sweep, row: pd.Series, base: pd.Series | None, swept: list[str], scenario: str, horizon: float
) -> str:
    """One finding: how soon half of the units adopt under ``row``, and against the baseline."""
    units = unit_noun(scenario)
    who = describe(row, swept)
    opening = f"With {who}"
    t = condition_time(sweep, row)
    if not t.reached:
        return (
            f"{opening}, half of the {units} had not adopted within the {horizon:.0f}-year horizon in "
            f"{t.n_not_reached} of {t.n} runs, so no time to 50 % is given."
        )
    sentence = f"{opening}, half of the {units} adopt within {time_phrase(t, 'years', horizon)}"
    if base is None or row is base or row.get("condition_id") == base.get("condition_id"):
        return sentence + "."
    paired = paired_between(sweep, row, base)
    if paired is None:
        return sentence + "."
    return sentence + f"; {paired_phrase(paired, 'years', 'dissemination alone')}."


def reach_sentence(row: pd.Series, base: pd.Series, swept: list[str], scenario: str, horizon: float) -> str:
    """How many units have adopted by the horizon, against the baseline (never censored)."""
    o = "final_adoption_share"
    mean, lo, hi = (value(row, o, s) for s in ("mean", "lo", "hi"))
    lo, hi = max(lo, 0.0), min(hi, 1.0)  # a share's interval is shown within 0-100 %
    b = value(base, o, "mean")
    diff, dlo, dhi = (value(row, o, s) for s in ("diff", "diff_lo", "diff_hi"))
    text = (
        f"By the {horizon:.0f}-year horizon, {pct(mean)} of the {unit_noun(scenario)} have adopted with "
        f"{describe(row, swept)} (95 % interval {pct(lo)}–{pct(hi)}), against {pct(b)} with "
        "dissemination alone"
    )
    if math.isnan(diff):
        return text + "."
    apart = "" if dlo > 0 or dhi < 0 else "; with these runs the two cannot be told apart"
    return (
        text + f"; run by run the difference is {100 * diff:+.0f} percentage points "
        f"(95 % interval {100 * dlo:+.0f} to {100 * dhi:+.0f}){apart}."
    )


def _baseline_row(conds: pd.DataFrame, row: pd.Series, bases: pd.DataFrame) -> pd.Series | None:
    """The baseline row of ``row``: by the runner's ``baseline_id``, else the scenario's first."""
    if "baseline_id" in conds and isinstance(row.get("baseline_id"), str) and "condition_id" in conds:
        match = conds[conds["condition_id"] == row["baseline_id"]]
        if len(match):
            return match.iloc[0]
    return bases.iloc[0] if len(bases) else None


def headline_conditions(sweep: Sweep, part: pd.DataFrame) -> list[pd.Series]:
    """The conditions the findings speak about, in order: a half-time coordinator with the
    strongest sponsorship; the condition with the shortest time to 50 % (over all runs); no
    coordinator time with the strongest sponsorship. (The first condition when none of these is
    in the sweep.)"""
    others = part[~sweep.is_baseline(part)]
    chosen: list[pd.Series] = []
    has_grid = {"coordinator.fte", "sponsor.level"} <= set(others.columns)
    if has_grid:
        top = others["sponsor.level"].max()
        half = others[(others["coordinator.fte"] == 0.5) & (others["sponsor.level"] == top)]
        chosen += [half.iloc[0]] if len(half) else []
    group = fastest(sweep, others) if len(others) else None
    if group is not None:
        chosen.append(group.best)
    if has_grid:
        none = others[
            (others["coordinator.fte"] == 0) & (others["sponsor.level"] == others["sponsor.level"].max())
        ]
        chosen += [none.iloc[0]] if len(none) else []
    if not chosen and len(others):
        chosen.append(others.iloc[0])
    unique, seen = [], set()
    for row in chosen:
        if row.name not in seen:
            seen.add(row.name)
            unique.append(row)
    return unique


def complete(conds: pd.DataFrame | None) -> pd.DataFrame | None:
    """The conditions the runner finished (``status`` complete); failed ones have no statistics."""
    if conds is None or "status" not in conds:
        return conds
    return conds[conds["status"] == "complete"]


def findings(sweep: Sweep) -> list[str]:
    """Key findings in plain sentences, per scenario, from the condition table."""
    conds = complete(sweep.conditions)
    if conds is None:
        return []
    horizon = sweep.horizon_years
    out: list[str] = []
    swept = sweep.swept
    for scenario in sweep.scenarios:
        part = conds[conds["scenario"] == scenario] if "scenario" in conds else conds
        out.append(f"{unit_noun(scenario).capitalize()} ({scenario}): {case_status(scenario)}")
        bases = part[sweep.is_baseline(part)]
        for _, base in bases.iterrows():
            out.append(t50_sentence(sweep, base, None, swept, scenario, horizon))
        others = part[~sweep.is_baseline(part)]
        for i, row in enumerate(headline_conditions(sweep, part)):
            base = _baseline_row(conds, row, bases)
            out.append(t50_sentence(sweep, row, base, swept, scenario, horizon))
            if i == 0 and base is not None:
                out.append(reach_sentence(row, base, swept, scenario, horizon))
        if len(others) > 1:
            out += fastest_findings(sweep, others, swept, horizon)
        not_reached = [r for _, r in part.iterrows() if not condition_time(sweep, r).reached]
        if not_reached:
            out.append(
                f"In {len(not_reached)} of {len(part)} {scenario} conditions fewer than half of the runs "
                f"reached 50 % adoption within {horizon:.0f} years; the table and figures mark them as "
                "not reached."
            )
        if sweep.has_wave:
            out += wave_findings(sweep, part, scenario, swept)
    return out


def fastest_findings(sweep: Sweep, others: pd.DataFrame, swept: list[str], horizon: float) -> list[str]:
    """Which condition is fastest, said only as far as the paired runs show it beyond chance."""
    group = fastest(sweep, others)
    if group is None:
        return []
    best = describe(group.best, swept)
    time = time_text(group.time.median, "years")
    if group.alone:
        return [
            f"The fastest condition is {best} ({time} to 50 %): it is sooner than each of the other "
            f"{group.others} conditions beyond chance (paired runs)."
        ]
    names = [describe(row, swept) for row in group.peers]
    listed = "; ".join(names[:6]) + (f"; and {len(names) - 6} more" if len(names) > 6 else "")
    n = len(sweep.select(sweep.runs, group.best))
    return [
        f"No condition is the fastest beyond chance with {n} runs each: the shortest time to 50 %, "
        f"{time} with {best}, cannot be told apart from {len(names)} other condition"
        f"{'s' if len(names) > 1 else ''} (paired 95 % interval of the difference includes zero): {listed}."
    ]


def wave_findings(sweep: Sweep, part: pd.DataFrame, scenario: str, swept: list[str]) -> list[str]:
    """Sentences on time-to-talent (over all runs) and knowledge retained through a retirement wave."""
    if "time_to_talent_weeks" not in sweep.runs:
        return []
    out = []
    for _, row in part.iterrows():
        who = describe(row, swept)
        t = condition_time(sweep, row, "time_to_talent_weeks")
        if not t.reached:
            out.append(
                f"Through the retirement wave in {scenario} with {who}, fewer than half of new hires "
                f"reached competence in {t.n_not_reached} of {t.n} runs, so no time-to-talent is given."
            )
            continue
        kept = value(row, "knowledge_retained", "mean")
        out.append(
            f"Through the retirement wave in {scenario} with {who}, half of the new hires reach competence "
            f"within {time_phrase(t, 'weeks', sweep.horizon_years)}, and mean knowledge ends at "
            f"{kept:.2f} times its peak."
        )
    return out


# ---------------------------------------------------------------------------- HTML pieces
def _cell(sweep: Sweep, row: pd.Series, outcome: str, decimals: int) -> str:
    if outcome in TIME_OUTCOMES and outcome in sweep.runs:
        t = condition_time(sweep, row, outcome)
        if not t.reached:
            return (
                f'<td class="censored" data-reached="{t.n_reached}">not reached '
                f"({t.n_reached} of {t.n} runs got there)</td>"
            )
        ci = ""
        if t.sure:
            hi = "beyond horizon" if math.isinf(t.hi) else f"{t.hi:.{decimals}f}"
            ci = f' <span class="ci">({t.lo:.{decimals}f}–{hi})</span>'
        note = f' <span class="ci">{t.n_not_reached} of {t.n} not reached</span>' if t.n_not_reached else ""
        return f'<td data-value="{t.median!r}">{t.median:.{decimals}f}{ci}{note}</td>'
    mean = value(row, outcome, "mean")
    if math.isnan(mean):
        return "<td>–</td>"
    lo, hi = value(row, outcome, "lo"), value(row, outcome, "hi")
    ci = "" if math.isnan(lo) else f' <span class="ci">({max(lo, 0.0):.{decimals}f}–{hi:.{decimals}f})</span>'
    return f'<td data-value="{mean!r}">{mean:.{decimals}f}{ci}</td>'


def _paired_cell(paired: PairedTimes | None) -> str:
    """Years sooner than dissemination alone, run by run: the middle pair and its 95 % interval."""
    if paired is None or math.isnan(paired.median):
        return "<td>–</td>"

    def said(x: float) -> str:
        if math.isinf(x):
            return "only with the community" if x > 0 else "only without"
        return f"{x:.1f}"

    ci = "" if math.isnan(paired.lo) else f' <span class="ci">({said(paired.lo)} to {said(paired.hi)})</span>'
    if paired.told_apart:
        return f'<td data-value="{paired.median!r}">{said(paired.median)}{ci}</td>'
    return (
        f'<td class="indistinct" data-value="{paired.median!r}">{said(paired.median)}{ci} '
        '<span class="ci">cannot be told apart</span></td>'
    )


def conditions_table(sweep: Sweep) -> str:
    """The conditions as an HTML table: keys, runs, headline outcomes (value, 95 % interval)."""
    conds = sweep.conditions
    outcomes = {
        k: v
        for k, v in TABLE_OUTCOMES.items()
        if cond_col(k, "mean") in conds or (k in TIME_OUTCOMES and k in sweep.runs)
    }
    keys = [k for k in sweep.keys if k in conds]
    head = "".join(f"<th>{html.escape(key_label(k))}</th>" for k in keys)
    head += "".join(f"<th>{html.escape(label)}</th>" for label, _ in outcomes.values())
    head += "<th>years sooner than dissemination alone (middle pair of paired runs, 95 % interval)</th>"
    body = []
    bases = conds[sweep.is_baseline(conds)]
    for _, row in conds.iterrows():
        baseline = bool(sweep.is_baseline(row.to_frame().T).iloc[0])
        # a baseline's lever keys are the scenario's defaults with the community off: not levers in force
        shown = [
            "–" if baseline and k.startswith(LEVER_PREFIXES) and k != BASELINE_KEY else _fmt(row[k])
            for k in keys
        ]
        cells = "".join(f"<td>{html.escape(v)}</td>" for v in shown)
        if "status" in row and row["status"] != "complete":
            span = len(outcomes) + 1
            body.append(f'<tr>{cells}<td colspan="{span}">{html.escape(str(row["status"]))}</td></tr>')
            continue
        cells += "".join(_cell(sweep, row, o, d) for o, (_, d) in outcomes.items())
        base = None if baseline else _baseline_row(conds, row, bases)
        if baseline:
            cells += "<td>baseline</td>"
        else:
            # positive: sooner than the baseline (the baseline's time minus the condition's, run by run)
            cells += _paired_cell(None if base is None else paired_between(sweep, row, base))
        body.append(f"<tr>{cells}</tr>")
    return f'<table id="conditions"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _fmt(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "on" if v else "off"
    if isinstance(v, float):
        return "–" if math.isnan(v) else f"{v:g}"
    return str(v)


def _image(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    alt = html.escape(alt)
    return (
        f'<figure><img alt="{alt}" src="data:image/png;base64,{data}"><figcaption>{alt}</figcaption></figure>'
    )


FIGURE_CAPTIONS = {
    "adoption_curves": "Share of adopting units that adopted over time (mean, 95 % band); "
    "grey dashed: dissemination only.",
    "t50_heatmap": "Years to 50 % adoption (over all runs) by coordinator FTE and sponsorship, on a scale "
    "from 0 to the horizon; ≈: cannot be told apart from the fastest with these runs; hatched: fewer "
    "than half of the runs reached 50 %; the bar on the colour scale: dissemination alone.",
    "dose_response": "Dose-response: outcomes against coordinator FTE, one line per sponsorship level "
    "(95 % intervals; times over all runs, triangles: not reached).",
    "conditions": "Every condition: years to 50 % adoption and reach at the horizon (95 % intervals).",
    "participation": "Participation structure over time: core, active, peripheral members and non-members.",
    "knowledge_trust_ties": "Knowledge, cross-boundary trust and cross-boundary ties over time (95 % bands).",
    "retirement_wave": "Retirement wave: time-to-talent of new hires and knowledge retained.",
    "network": "One run of a small scenario: the network at launch and after three years.",
}  # fmt: skip


def _scenario_list(sweep: Sweep) -> str:
    items = []
    for scenario in sweep.scenarios:
        items.append(f"<li><b>{html.escape(scenario)}</b>: adopting units are {unit_noun(scenario)}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def _levers(sweep: Sweep) -> str:
    items = []
    table = sweep.condition_table()
    levers = table[~table["baseline"]]
    for key in sweep.swept:
        if key == BASELINE_KEY:
            continue
        values = pd.unique(levers[key].dropna())
        shown = ", ".join(_fmt(v) for v in sorted(values, key=str)[:12])
        items.append(
            f"<li>{html.escape(key_label(key))} (<code>{html.escape(key)}</code>): {html.escape(shown)}</li>"
        )
    return "<ul>" + "".join(items) + "</ul>" if items else "<p>A single condition (no levers swept).</p>"


def _caveats(sweep: Sweep) -> str:
    reps = sweep.runs.groupby(sweep.keys, dropna=False)["replicate"].nunique() if sweep.keys else None
    if reps is None:
        n_rep = str(sweep.runs["replicate"].nunique())
    else:
        lo, hi = int(reps.min()), int(reps.max())
        n_rep = f"{lo}" if lo == hi else f"{lo}–{hi}"
    counts = sweep.manifest.get("counts") or {}
    incomplete = int(counts.get("failed", 0)) + int(counts.get("not run", 0))
    missing = (
        f"<li><b>{incomplete} of {counts.get('total')} conditions failed or did not finish</b>; they are "
        "absent from the findings (see failures.csv in the sweep directory).</li>"
        if incomplete
        else ""
    )
    return (
        "<ul>"
        + missing
        + f"<li>Each condition was run {n_rep} times (replicates). Few replicates give wide intervals; "
        "with fewer than 6 no 95 % interval of a time can be given.</li>"
        "<li>A run in which half of the units have not adopted by the "
        f"{sweep.horizon_years:.0f}-year horizon is <em>censored</em>: its time to 50 % is unknown, not zero "
        "and not the horizon. A condition's time is the time by which at least half of its runs got there "
        "(censored runs counted as later than any that got there; the Kaplan–Meier median); its 95 % "
        "interval comes from the order statistics of the runs. Where fewer than half got there the time is "
        "<em>not reached</em> and no number is given. Other outcomes are means over all runs with 95 % "
        "t-intervals, kept within the values the outcome can take.</li>"
        "<li>Replicate <i>r</i> uses the same random seed in every condition (common random numbers), so "
        "conditions are compared run by run. One is called sooner than another only when the 95 % interval "
        "of the paired difference excludes zero; otherwise the report says they cannot be told apart with "
        "this many runs.</li>"
        "<li>Many behavioural parameters are informed guesses (see docs/ODD.md and the parameter table); the "
        "sensitivity analysis shows which of them matter. Results are illustrative, not forecasts.</li>"
        "</ul>"
    )


def _method(sweep: Sweep) -> str:
    summary = model_summary()
    seed = _find(sweep.manifest, "root_seed")
    if seed is None:
        seed = _find(sweep.manifest, "seed")
    versions = _find(sweep.manifest, "versions") or {
        k: v for k, v in sweep.manifest.items() if isinstance(v, str) and "version" in k
    }
    version_text = (
        ", ".join(f"{k} {v}" for k, v in versions.items()) if isinstance(versions, dict) else str(versions)
    )
    commit = _find(sweep.manifest, "git_commit") or _find(sweep.manifest, "commit")
    lines = [
        f"<p>{html.escape(summary)}</p>",
        "<ul>",
        f"<li>Root seed: {html.escape(str(seed))}; replicate seeds are spawned from it with numpy's "
        "SeedSequence.</li>",
        f"<li>Versions: {html.escape(version_text or 'not recorded')}</li>",
    ]
    if commit:
        lines.append(f"<li>Git commit: <code>{html.escape(str(commit))}</code></li>")
    lines.append(f"<li>Sweep directory: <code>{html.escape(str(sweep.path))}</code>; report written "
                 f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC.</li></ul>")  # fmt: skip
    return "".join(lines)


def model_summary() -> str:
    """A paragraph on the model: the purpose from docs/ODD.md (section 1, markdown stripped) when
    present, followed by a fixed summary of the mechanisms."""
    mechanisms = (
        "copsim is an agent-based model with a weekly time step. Practitioners in organizations (agencies, "
        "state DOTs, cities, firms) decide voluntarily whether to take part in a community of practice, "
        "exchange knowledge with partners met through the community and the formal network, and build trust "
        "across organizational boundaries; a coordinator spends hours on activities, brokering, Q&A and "
        "recruitment; a sponsor gives protected time and legitimacy; adopting units take up a proven "
        "practice with a Bass-style hazard driven by dissemination and trust-weighted exposure to "
        "adopters, gated by know-how. Switching the community off gives the dissemination-only baseline. "
        "docs/ODD.md describes the model in full."
    )
    odd = Path(__file__).resolve().parents[3] / "docs" / "ODD.md"
    if not odd.is_file():
        return mechanisms
    text = odd.read_text(errors="replace")
    match = re.search(r"^## 1\. Purpose[^\n]*\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    if not match:
        return mechanisms
    blocks = [b for b in match.group(1).strip().split("\n\n") if b.strip()][:2]
    purpose = " ".join(blocks)
    purpose = re.sub(r"^\s*[*-]\s+", "- ", purpose, flags=re.M)
    purpose = re.sub(r"[*_`]", "", purpose)
    purpose = " ".join(purpose.replace("\n- ", " - ").split())
    return f"Purpose (docs/ODD.md): {purpose} {mechanisms}"


def _sensitivity_section(path: Path) -> str:
    data = json.loads(path.read_text())
    parts = [f"<p>{html.escape(s)}</p>" for s in data.get("sentences", [])]
    for name in data.get("figures", []):
        fig = path.parent / name
        if fig.is_file():
            parts.append(_image(fig, "Sensitivity of the outcomes to the uncertain behavioural parameters."))
    return "".join(parts)


def _discovery_section(path: Path) -> str:
    data = json.loads(path.read_text())
    parts = [f"<p>{html.escape(s)}</p>" for s in data.get("sentences", [])]
    rows = []
    for box in data.get("boxes", []):
        limits = "; ".join(f"{html.escape(k)}: {v[0]:.3g} to {v[1]:.3g}" for k, v in box["limits"].items())
        rows.append(
            f"<tr><td>{pct(box['coverage'])}</td><td>{pct(box['density'])}</td><td>{limits}</td></tr>"
        )
    if rows:
        head = "<tr><th>coverage</th><th>density</th><th>box (restricted levers)</th></tr>"
        parts.append(f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>")
    for name in data.get("figures", []):
        fig = path.parent / name
        if fig.is_file():
            parts.append(_image(fig, "Scenario discovery: the peeling trajectory and the chosen box."))
    return "".join(parts)


CSS = """
body{font-family:Georgia,serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.7rem} h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.8rem;font-family:Helvetica,Arial,sans-serif}
td,th{border:1px solid #ddd;padding:.25rem .4rem;text-align:right} th{background:#f3f3f3}
td.censored{background:repeating-linear-gradient(45deg,#eee,#eee 4px,#fff 4px,#fff 8px);color:#555}
td.indistinct{color:#777}
.ci{color:#777} figure{margin:1rem 0} img{max-width:100%} figcaption{font-size:.85rem;color:#555}
.findings li{margin-bottom:.4rem}
"""


def question(sweep: Sweep, units: str) -> str:
    """The question the sweep answers: the experiment's own (manifest) or the general one."""
    asked = str(sweep.manifest.get("question") or "").strip()
    if asked:
        return asked
    return (
        f"How much sooner do {units} take up a proven practice when a community of practice with a "
        "coordinator and an executive sponsor connects practitioners across organizational boundaries, "
        "compared with dissemination alone? And how do coordinator time, sponsorship and the other levers "
        "change knowledge, trust across silos and participation?"
    )


def write_report(
    sweep: Sweep,
    path: Path | None = None,
    figures: bool = True,
    sensitivity: Path | None = None,
    discovery: Path | None = None,
) -> Path:
    """Write ``DIR/report.html`` (or ``path``): a self-contained report of ``sweep``.

    Args:
        sweep: the loaded sweep (needs its condition table, ``conditions.parquet``).
        path: where to write the HTML.
        figures: (re)draw the figures into ``DIR/figures`` and embed them.
        sensitivity: ``sensitivity.json`` of a sensitivity analysis to include (default: the
            sweep's ``sensitivity/sensitivity.json`` if present).
        discovery: ``discovery.json`` of a scenario discovery to include (default: the sweep's
            ``discovery/discovery.json`` if present).
    """
    if sweep.conditions is None:
        raise SweepError(f"{sweep.path / 'conditions.parquet'}: missing; the report quotes its numbers")
    path = Path(path) if path is not None else sweep.path / "report.html"
    pngs = plot_sweep(sweep) if figures else sorted((sweep.path / "figures").glob("*.png"))
    sensitivity = sensitivity or sweep.path / "sensitivity" / "sensitivity.json"
    discovery = discovery or sweep.path / "discovery" / "discovery.json"
    units = ", ".join(sorted({unit_noun(s) for s in sweep.scenarios}))
    sections = [
        "<h1>Communities of practice: how much faster do proven practices spread?</h1>",
        "<h2>The question</h2>",
        f"<p>{html.escape(question(sweep, units))}</p>",
        "<h2>Scenarios and levers compared</h2>",
        _scenario_list(sweep),
        _levers(sweep),
        "<p>The dissemination-only baseline of each scenario switches the community off "
        "(<code>community.enabled=false</code>) on the same random seeds.</p>",
        "<h2>Key findings</h2>",
        '<ul class="findings">' + "".join(f"<li>{html.escape(s)}</li>" for s in findings(sweep)) + "</ul>",
    ]
    sections += [_image(p, FIGURE_CAPTIONS.get(p.stem, p.stem)) for p in pngs]
    if Path(sensitivity).is_file():
        sections += [
            "<h2>What dominates: sensitivity to uncertain behaviour</h2>",
            _sensitivity_section(Path(sensitivity)),
        ]
    if Path(discovery).is_file():
        sections += ["<h2>What does it take? Scenario discovery</h2>", _discovery_section(Path(discovery))]
    sections += [
        "<h2>Conditions</h2>",
        "<p>Mean and 95 % interval across replicates. Censored: some runs never reached the outcome "
        "within the horizon.</p>",
        conditions_table(sweep),
        "<h2>Caveats</h2>",
        _caveats(sweep),
        "<h2>Method</h2>",
        _method(sweep),
    ]
    doc = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>copsim report</title>'
        f"<style>{CSS}</style></head><body>{''.join(sections)}</body></html>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(doc, encoding="utf-8")
    return path

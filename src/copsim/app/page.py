"""The Streamlit script of ``copsim-app`` (run by :mod:`copsim.app.cli`; not imported elsewhere).

Thin on purpose: it lays out widgets and shows what the plain modules compute. Everything a user
chooses or sees lives in ``st.session_state``, which Streamlit keeps per browser session, so one
person's settings and results never appear in another's.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from copsim.app import export, levers, wording
from copsim.app.cases import CASES, DEFAULT_CASE
from copsim.app.network_picture import draw_network
from copsim.app.runner import EnsembleJob, configured_workers
from copsim.config import ConfigError

MAX_SAVED = 3
CONDITION_LABELS = {"community": "with the community", "baseline": "dissemination alone"}
COLOURS = ["#1b6ca8", "#9a9a9a"]


# ---------------------------------------------------------------------------------------- sidebar
def lever_widgets(scenario: str) -> tuple[levers.Levers, int]:
    """The lever widgets for one case, starting from that case's own values."""
    base = levers.levers_from_config(levers.scenario_defaults(scenario))
    horizon = levers.scenario_defaults(scenario).horizon_weeks // levers.WEEKS_PER_YEAR
    k = f"{scenario}."
    st.subheader("Coordinator")
    hours = st.slider(
        "Coordinator time (hours per week)",
        0,
        40,
        2 * round(base.coordinator_hours / 2),
        step=2,
        key=k + "hours",
        help="The person who organizes activities, connects members and answers questions. "
        "40 hours a week is one full-time person (1 FTE); the article advises half-time or more.",
    )
    st.caption(f"= {hours / levers.HOURS_PER_FTE:.2f} FTE (full-time equivalent)")
    technical = st.slider(
        "Knowledge of the field",
        0.0,
        1.0,
        float(base.technical_competence),
        step=0.05,
        key=k + "technical",
        help="The coordinator's technical competence: 0 a novice, 1 a recognized expert.",
    )
    interpersonal = st.slider(
        "People skills",
        0.0,
        1.0,
        float(base.interpersonal_competence),
        step=0.05,
        key=k + "interpersonal",
        help="The coordinator's interpersonal competence: 0 poor, 1 excellent at connecting people.",
    )
    st.subheader("Sponsor")
    level = st.slider(
        "Sponsorship",
        0.0,
        1.0,
        float(base.sponsor_level),
        step=0.05,
        key=k + "sponsor",
        help="How much an executive sponsor backs the community with protected staff time and "
        "budget: 0 none, 1 full.",
    )
    participation = st.radio(
        "Participation",
        ["Voluntary", "Mandated"],
        index=1 if base.mandate else 0,
        horizontal=True,
        key=k + "mandate",
        help="Mandating membership brings people in but crowds out their own motivation, so they "
        "share less (Deci, Koestner & Ryan 1999).",
    )
    board = st.checkbox(
        "Sponsor board",
        value=base.sponsor_board,
        key=k + "board",
        help="A group of executives that keeps supporting the community when the sponsor leaves.",
    )
    years = [None, *range(1, int(horizon) + 1)]
    departure = st.selectbox(
        "Sponsor leaves",
        years,
        index=years.index(base.sponsor_departure_year) if base.sponsor_departure_year in years else 0,
        format_func=lambda y: "never" if y is None else f"in year {y}",
        key=k + "departure",
        help="When the executive sponsor moves on. Without a board, support may lapse until a new "
        "sponsor is found.",
    )
    st.subheader("Organization")
    support = st.checkbox(
        "Support team",
        value=base.support_team,
        key=k + "support",
        help="A small central team that coaches coordinators and runs the online platform for "
        "several communities at once.",
    )
    wave = st.checkbox(
        "Retirement wave",
        value=base.retirement_wave,
        key=k + "wave",
        help="Half of the workforce retires over seven years, starting in year 1 (the article's "
        "'demographic time bomb').",
    )
    st.subheader("Precision")
    replicates = st.slider(
        "Number of runs",
        levers.MIN_REPLICATES,
        levers.MAX_REPLICATES,
        levers.DEFAULT_REPLICATES,
        key=k + "replicates",
        help="The model is run this many times with different chance events (replicates), and as "
        "many times again without the community. More runs give narrower ranges but take longer.",
    )
    chosen = levers.Levers(
        coordinator_hours=float(hours),
        technical_competence=float(technical),
        interpersonal_competence=float(interpersonal),
        sponsor_level=float(level),
        mandate=participation == "Mandated",
        sponsor_board=bool(board),
        sponsor_departure_year=departure,
        support_team=bool(support),
        retirement_wave=bool(wave),
    )
    return chosen, int(replicates)


def main() -> None:
    """Lay out the page for one script run (Streamlit reruns it on every interaction)."""
    st.set_page_config(page_title="copsim: what if?", layout="wide")
    state = st.session_state
    state.setdefault("saved", [])

    with st.sidebar:
        st.header("1. Pick a case")
        scenario = st.radio(
            "Case",
            list(CASES),
            index=list(CASES).index(DEFAULT_CASE),
            format_func=lambda s: CASES[s].title,
            key="case",
            label_visibility="collapsed",
        )
        st.header("2. Move the levers")
        chosen_levers, replicates = lever_widgets(scenario)

    case = CASES[scenario]
    job: EnsembleJob | None = state.get("job")
    running = job is not None and not job.finished

    # ---------------------------------------------------------------------------------------- header
    st.title("What if we back a community of practice?")
    st.markdown(
        f"**{case.title}.** {case.kind}  \n"
        f"> {case.sentences[0]} {case.sentences[1]}  \n"
        "> — Snyder & Briggs, *Communities of Practice: A New Tool for Government Managers* (2003)"
    )

    with st.expander("How to read this page"):
        st.markdown(
            f"""
    - **What this is.** An agent-based simulation (copsim): practitioners in many organizations,
      a community coordinator, a sponsor and perhaps a support team, week by week for
      {wording.years_text(levers.horizon_years(levers.scenario_defaults(scenario)))}. Members share
      what they know; {case.unit} adopt a proven practice sooner when people they trust already use it.
    - **What it is not.** A forecast. Its parameters are illustrative: some come from the article or
      from research (each is listed with its source in `docs/ODD.md`), many are informed guesses. Use it
      to compare options and see which levers matter, not to promise a date.
    - **Where the numbers come from.** Each *Run* simulates the case many times with different chance
      events ("runs" or replicates), and the same number of times **without** the community
      ("dissemination alone": information is published, nobody convenes people). Run *r* with and
      without the community shares its chance events, so the difference between them is the
      community's effect, not luck.
    - **Ranges.** "3.2 years (2.9–3.5)" is the average over runs and its 95 % range: with more runs
      the range narrows. Shaded bands on the chart are the same kind of range.
    - **"Not reached within 10 years"** means the runs did not get there before the simulation
      ended; such runs are counted, never averaged in as 10 years.
    - **Reproduce it.** *Export* gives the exact command an analyst runs to get the same numbers.
    """
        )

    # ---------------------------------------------------------------------------------------- run
    col_run, col_save = st.columns([1, 1])
    run_clicked = col_run.button(
        "Run", type="primary", disabled=running, key="run", icon=":material/play_arrow:"
    )
    if run_clicked:
        if running:
            st.warning("A run is already going; wait for it to finish.")
        else:
            try:
                config, overrides = levers.build_config(scenario, chosen_levers)
                levers.check_replicates(replicates)
            except ConfigError as exc:
                st.error(f"These settings cannot be run: {exc}")
            else:
                state["job"] = EnsembleJob(
                    scenario, config, overrides, replicates, configured_workers()
                ).start()
                state.pop("error", None)
                st.rerun()  # redraw at once with Run disabled and the progress bar showing

    def progress_panel() -> None:
        """Shows the running job's progress; when it finishes, reruns the page to show results."""
        job = state.get("job")
        if job is None:
            return
        if job.finished:
            if job.state == "done":
                state["current"] = job.output
            else:
                state["error"] = job.error
            state["job"] = None
            st.rerun(scope="app")
        label = "waiting for a free processor" if job.state == "waiting" else "simulating"
        st.progress(
            job.fraction,
            text=f"{label}: {job.done} of {job.total} runs ({job.replicates} with the community, "
            f"{job.replicates} without, 1 for the network picture)",
        )

    st.fragment(progress_panel, run_every=0.5 if running else None)()

    if state.get("error"):
        st.error(f"The run failed: {state['error']}")

    # ---------------------------------------------------------------------------------------- results
    output = state.get("current")
    if output is not None:
        comparison = output.comparison
        shown_case = CASES[comparison.scenario]
        horizon = levers.horizon_years(comparison.config)
        with col_save:
            full = len(state["saved"]) >= MAX_SAVED
            if st.button(
                f"Save for comparison ({len(state['saved'])} of {MAX_SAVED})",
                disabled=full or any(s.comparison is comparison for s in state["saved"]),
                key="save",
                icon=":material/bookmark_add:",
            ):
                state["saved"].append(output)
                st.rerun()

        st.caption(
            f"Results for **{shown_case.title}**, {wording.describe_changes(comparison.overrides)}; "
            f"{comparison.replicates} runs with the community and {comparison.replicates} without, "
            "same seeds."
        )
        headline = wording.headline(
            shown_case.unit,
            comparison.outcome("t50_years"),
            comparison.outcome("t50_years", "baseline"),
            comparison.paired_difference("t50_years"),
            horizon,
        )
        with st.container(key="headline"):
            st.subheader(headline, anchor=False)

        curve = comparison.curve().assign(condition=lambda d: d["condition"].map(CONDITION_LABELS))
        colour = alt.Color(
            "condition:N",
            title=None,
            scale=alt.Scale(domain=list(CONDITION_LABELS.values()), range=COLOURS),
            legend=alt.Legend(orient="top-left"),
        )
        x = alt.X("years:Q", title="years since launch")
        band_colour = alt.Color(
            "condition:N", scale=alt.Scale(domain=list(CONDITION_LABELS.values()), range=COLOURS), legend=None
        )
        band = alt.Chart(curve).mark_area(opacity=0.25).encode(x=x, y="lo:Q", y2="hi:Q", color=band_colour)
        line = (
            alt.Chart(curve)
            .mark_line()
            .encode(
                x=x,
                y=alt.Y(
                    "mean:Q",
                    title=f"share of {shown_case.unit} that adopted",
                    scale=alt.Scale(domain=[0, 1]),
                    axis=alt.Axis(format="%"),
                ),
                color=colour,
            )
        )
        half = (
            alt.Chart(pd.DataFrame({"y": [0.5]})).mark_rule(strokeDash=[3, 3], color="black").encode(y="y:Q")
        )
        with st.container(key="chart"):
            st.altair_chart((band + line + half).properties(height=320), width="stretch")
            st.caption("Lines: average over runs. Shaded: 95 % range. Dotted: half of the units.")

        cards = wording.cards(comparison)
        for row in (cards[:4], cards[4:]):
            for column, card in zip(st.columns(4), row, strict=False):
                with column.container(border=True, key=f"card-{card.label}"):
                    st.markdown(f"**{card.label}**", help=card.explain)
                    st.subheader(card.value, anchor=False)
                    st.caption(card.detail)

        net_col, net_text = st.columns([1, 1])
        with net_col:
            fig = draw_network(output.network)
            st.pyplot(fig, width="content")
        with net_text:
            snap = output.network
            st.markdown(
                f"**The community's network in one run**, after {wording.years_text(snap.week / 52)}: "
                f"people in the {len(snap.org_labels)} organizations with the most members (each colour "
                f"one organization; up to 12 people each). Red lines are ties across organizations, the "
                f"bridges a community builds; grey lines are ties inside one organization. The whole "
                f"network has {snap.members} members and {snap.cross_ties_total} ties across organizations."
            )

        st.header("Export")
        command = export.command_line(comparison.scenario, comparison.overrides, comparison.replicates)
        st.markdown("Run the same settings from a terminal (gives the same numbers, with the baseline):")
        with st.container(key="export-command"):
            st.code(command, language="bash")
        col_yaml, col_csv = st.columns(2)
        col_yaml.download_button(
            "Experiment file (YAML)",
            export.experiment_yaml(
                comparison.scenario, comparison.overrides, comparison.replicates, shown_case.title
            ),
            file_name=f"whatif-{comparison.scenario}.yaml",
            mime="text/yaml",
            key="download-yaml",
        )
        col_csv.download_button(
            "Results (CSV, one row per run)",
            export.results_csv(comparison),
            file_name=f"whatif-{comparison.scenario}-results.csv",
            mime="text/csv",
            key="download-csv",
        )
    else:
        st.info("Choose a case and the levers on the left, then press **Run**.")

    # ---------------------------------------------------------------------------------------- saved
    saved = state["saved"]
    if saved:
        st.header("Saved scenarios, side by side")
        st.caption("All runs use the same seeds, so differences come from the settings, not from chance.")
        table = {}
        curves = []
        headlines = []
        for i, item in enumerate(saved):
            c = item.comparison
            short = CASES[c.scenario].title.split(" (")[0]
            name = f"{chr(65 + i)}: {short} — {wording.describe_changes(c.overrides)}"
            table[name] = {card.label: card.value for card in wording.cards(c)}
            headlines.append(
                f"**{name}.** "
                + wording.headline(
                    CASES[c.scenario].unit,
                    c.outcome("t50_years"),
                    c.outcome("t50_years", "baseline"),
                    c.paired_difference("t50_years"),
                    levers.horizon_years(c.config),
                )
            )
            curves.append(c.curve().query("condition == 'community'").assign(scenario=name))
        with st.container(key="saved-table"):
            st.dataframe(pd.DataFrame(table), width="stretch")
        st.markdown("\n".join(f"- {h}" for h in headlines))
        overlay = (
            alt.Chart(pd.concat(curves))
            .mark_line()
            .encode(
                x=alt.X("years:Q", title="years since launch"),
                y=alt.Y(
                    "mean:Q",
                    title="adopted",
                    axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1]),
                ),
                color=alt.Color(
                    "scenario:N",
                    title=None,
                    scale=alt.Scale(range=["#1b6ca8", "#d95f02", "#1b9e77"]),
                    legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=800),
                ),
            )
            .properties(height=260)
        )
        st.altair_chart(overlay, width="stretch")
        if st.button("Clear saved scenarios", key="clear-saved"):
            state["saved"] = []
            st.rerun()


# Streamlit runs this file as __main__; worker processes (spawn) import it as __mp_main__
# and must not lay out a page.
if __name__ == "__main__":
    main()

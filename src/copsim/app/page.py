"""The Streamlit script of ``copsim-app`` (served by :mod:`copsim.app.server`; not imported elsewhere).

Thin on purpose: it lays out widgets and shows what the plain modules compute. Everything a user
chooses or sees lives in ``st.session_state``, which Streamlit keeps per browser session, and in
the page's address (:mod:`copsim.app.links`), so a reload or a link brings the same settings
back. Simulations run in the server's queue (:mod:`copsim.app.runner`), never in this script.
"""

from __future__ import annotations

import functools
import math
import re
import time
from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from copsim import ConfigError
from copsim.analysis import target_search
from copsim.analysis.case_status import case_status
from copsim.analysis.costs import CostRates
from copsim.analysis.stats import middle_ranks
from copsim.analysis.target_search import Target
from copsim.app import export, levers, links, memo, own_scenario, saved, wording
from copsim.app.cases import CASES, case_of
from copsim.app.levers import HELP, Request
from copsim.app.network_picture import draw_network
from copsim.app.runner import Job, JobOutput, SearchRequest, dispatcher
from copsim.model.config import LEVELS, SECTORS

#: seconds between two looks at a running or waiting request (cheap: the fragment only reads it)
PROGRESS_EVERY = 0.5
CONDITION_LABELS = {"community": "with the community", "baseline": "dissemination alone"}
COLOURS = ["#1b6ca8", "#9a9a9a"]
#: a sidebar wide enough for two levers side by side, so every lever, the number of runs and Run
#: fit on a 1366 x 768 screen without scrolling
STYLE = """
<style>
section[data-testid="stSidebar"] {width: 470px !important; min-width: 470px !important;}
section[data-testid="stSidebar"] div[data-testid="stSidebarHeader"] {height: 2rem; padding: 0.4rem 1rem;}
section[data-testid="stSidebar"] div[data-testid="stSidebarUserContent"] {padding-top: 0;}
section[data-testid="stSidebar"] h3 {padding: 0.3rem 0 0 0; font-size: 1rem;}
section[data-testid="stSidebar"] div[data-testid="stVerticalBlock"] {gap: 0.35rem;}
div.block-container {padding-top: 2.5rem;}
h1 {font-size: 2rem !important;}
</style>
"""
STALE_STYLE = "<style>.st-key-results {opacity: 0.4; filter: grayscale(1);}</style>"


# ------------------------------------------------------------------------------------ sessions
def connected() -> Callable[[], bool]:
    """A callable that says whether this browser session is still connected (for the queue)."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return lambda: True
    session, runtime = ctx.session_id, Runtime.instance()
    return lambda: runtime.is_active_session(session)


def start_from_link() -> None:
    """On a session's first run, take the settings from the page's address."""
    state = st.session_state
    if state.get("started"):
        return
    state["started"] = True
    state["alive"] = connected()
    link = links.from_query(st.query_params.get_all)
    state["case"] = link.scenario
    state["runs"] = link.replicates
    state["saved"] = link.saved
    state["link_problems"] = link.problems
    for name in links.RATE_NAMES:
        state[f"rate.{name}"] = float(getattr(link.rates, name))
    if link.levers is not None:
        set_lever_state(link.scenario, link.levers)
    request = Request.of(link.scenario, link.levers or case_levers(link.scenario), link.replicates)
    answered = dispatcher().answer(request)
    if answered is not None:
        state["current"] = (request, answered)


def case_levers(scenario: str) -> levers.Levers:
    return levers.levers_from_config(levers.scenario_defaults(scenario))


def set_lever_state(scenario: str, chosen: levers.Levers) -> None:
    """Put ``chosen`` into the case's widgets (their keys are per case)."""
    k = f"{scenario}."
    state = st.session_state
    state[k + "hours"] = int(2 * round(chosen.coordinator_hours / 2))
    state[k + "team"] = int(chosen.coordinator_team)
    state[k + "technical"] = float(chosen.technical_competence)
    state[k + "interpersonal"] = float(chosen.interpersonal_competence)
    state[k + "sponsor"] = float(chosen.sponsor_level)
    state[k + "mandate"] = "Mandated" if chosen.mandate else "Voluntary"
    state[k + "board"] = bool(chosen.sponsor_board)
    state[k + "departure"] = chosen.sponsor_departure_year or 0
    state[k + "support"] = bool(chosen.support_team)
    state[k + "wave"] = bool(chosen.retirement_wave)


# ------------------------------------------------------------------------------------ sidebar
def lever_widgets(scenario: str, sharing: str | None) -> levers.Levers:
    """The lever widgets for one case, starting from that case's own values (or the link's)."""
    k = f"{scenario}."
    if k + "hours" not in st.session_state:
        set_lever_state(scenario, case_levers(scenario))
    horizon = levers.scenario_defaults(scenario).horizon_weeks // levers.WEEKS_PER_YEAR
    st.markdown("**Coordinator**")
    left, right = st.columns(2)
    hours = left.slider("Coordinator time (hours per week)", 0, 40, step=2, key=k + "hours",
                        help=HELP["coordinator.fte"])  # fmt: skip
    team = right.slider(
        "Coordinators", 1, levers.MAX_TEAM, key=k + "team", help=HELP["coordinator.team_size"]
    )
    technical = left.slider("Knowledge of the field", 0.0, 1.0, step=0.05, key=k + "technical",
                            help=HELP["coordinator.technical_competence"])  # fmt: skip
    interpersonal = right.slider("People skills", 0.0, 1.0, step=0.05, key=k + "interpersonal",
                                 help=HELP["coordinator.interpersonal_competence"])  # fmt: skip
    fte = hours / levers.HOURS_PER_FTE
    st.caption(f"{fte:.2f} FTE each, {team * fte:.2f} FTE in all (1 FTE = 40 hours a week)")
    st.markdown("**Sponsor**")
    left, right = st.columns(2)
    level = left.slider("Sponsorship", 0.0, 1.0, step=0.05, key=k + "sponsor", help=HELP["sponsor.level"])
    participation = right.radio("Participation", ["Voluntary", "Mandated"], key=k + "mandate",
                                help=HELP["sponsor.mandate"])  # fmt: skip
    years = list(range(int(horizon) + 1))  # 0: never (a widget's None would read "Choose an option")
    departure = left.selectbox("Sponsor leaves", years, key=k + "departure",
                               help=HELP["sponsor.departure_week"],
                               format_func=lambda y: "never" if y == 0 else f"in year {y}")  # fmt: skip
    right.markdown("&nbsp;")  # aligns the checkbox with the selectbox beside it
    board = right.checkbox("Sponsor board", key=k + "board", help=HELP["sponsor.board"])
    if sharing:
        st.caption(sharing)
    st.markdown("**Organization**")
    left, right = st.columns(2)
    support = left.checkbox("Support team", key=k + "support", help=HELP["support_team.enabled"])
    wave = right.checkbox("Retirement wave", key=k + "wave", help=HELP["demography.wave"])
    return levers.Levers(
        coordinator_hours=float(hours),
        coordinator_team=int(team),
        technical_competence=float(technical),
        interpersonal_competence=float(interpersonal),
        sponsor_level=float(level),
        mandate=participation == "Mandated",
        sponsor_board=bool(board),
        sponsor_departure_year=departure or None,
        support_team=bool(support),
        retirement_wave=bool(wave),
    )


def sharing_text(output: JobOutput | None) -> str | None:
    """The sharing rate of the results shown, beside the mandate lever (the mandate's cost); one line."""
    if output is None:
        return None
    c = output.comparison
    text = f"Sharing rate: {100 * c.outcome('sharing_rate').mean:.0f} % of chances"
    if c.reference is not None:
        text += f" (the case as set: {100 * c.outcome('sharing_rate', 'reference').mean:.0f} %)"
    return text


# ------------------------------------------------------------------------------------ requests
def submit(request: Request) -> None:
    """Ask the server's queue for ``request`` on behalf of this session."""
    state = st.session_state
    old = state.get("job")
    if old is not None and not old.finished:
        dispatcher().withdraw(old, state["alive"])
    state["job"] = dispatcher().submit(request, state["alive"])
    state.pop("error", None)


def progress_panel() -> None:
    """Shows where this session's request is; when it is answered, reruns the page to show it."""
    state = st.session_state
    job: Job | None = state.get("job")
    refresh_saved = any(not j.finished for j in state.get("saved_jobs", {}).values())
    if job is None:
        if not refresh_saved and state.get("saved_waiting"):
            state["saved_waiting"] = False
            st.rerun(scope="app")
        return
    if job.finished:
        state["job"] = None
        if job.state == "done":
            state["current"] = (job.request, job.output)
        elif job.state == "failed":
            state["error"] = job.error
        st.rerun(scope="app")
    ahead = dispatcher().ahead(job)
    n = job.request.replicates
    if job.state == "queued":
        text = (
            "waiting in line: 1 request ahead of yours"
            if ahead == 1
            else f"waiting in line: {ahead} requests ahead of yours"
        )
    else:
        parts = f"{n} runs with the community, {n} without"
        parts += f", {n} as in the case" if job.request.overrides else ""
        elapsed = time.monotonic() - (job.started or time.monotonic())
        text = (
            f"simulating: {job.fraction:.0%} done ({parts}, and the network picture of one run); "
            f"{elapsed:.0f} s so far"
        )
    with st.container(key="progress"):
        st.progress(job.fraction, text=text)
        if st.button("Cancel", key="cancel"):
            dispatcher().withdraw(job, state["alive"])
            state["job"] = None
            st.rerun(scope="app")


# ------------------------------------------------------------------------------------ results
def adoption_chart(output: JobOutput) -> alt.LayerChart:
    comparison = output.comparison
    case = case_of(comparison.scenario)
    curve = comparison.curve().assign(condition=lambda d: d["condition"].map(CONDITION_LABELS))
    domain = list(CONDITION_LABELS.values())
    colour = alt.Color(
        "condition:N",
        title=None,
        scale=alt.Scale(domain=domain, range=COLOURS),
        legend=alt.Legend(orient="top-left"),
    )
    x = alt.X("years:Q", title="years since launch")
    band = (
        alt.Chart(curve)
        .mark_area(opacity=0.22)
        .encode(
            x=x,
            y="low:Q",
            y2="high:Q",
            color=alt.Color("condition:N", scale=alt.Scale(domain=domain, range=COLOURS), legend=None),
        )
    )
    y = alt.Y(
        "middle:Q",
        title=f"share of {case.unit} that adopted",
        scale=alt.Scale(domain=[0, 1]),
        axis=alt.Axis(format="%"),
    )
    line = alt.Chart(curve).mark_line().encode(x=x, y=y, color=colour)
    half = alt.Chart(pd.DataFrame({"y": [0.5]})).mark_rule(strokeDash=[3, 3], color="black").encode(y="y:Q")
    return (band + line + half).properties(height=300)


def participation_chart(output: JobOutput) -> alt.Chart:
    data = output.comparison.participation()
    return (
        alt.Chart(data)
        .mark_line()
        .encode(
            x=alt.X("years:Q", title="years since launch"),
            y=alt.Y("value:Q", title="people (average over runs)"),
            color=alt.Color(
                "level:N",
                title=None,
                sort=["members", "active", "core"],
                scale=alt.Scale(range=["#1b6ca8", "#d95f02", "#1b9e77"]),
            ),
            strokeDash=alt.StrokeDash("setting:N", title=None, sort=["with your settings", "as in the case"]),
        )
        .properties(height=260)
    )


def show_results(request: Request, output: JobOutput, stale: bool) -> None:
    comparison = output.comparison
    case = case_of(comparison.scenario)
    horizon = comparison.horizon_years
    if stale:
        st.warning(
            "**These results are out of date**: the case or the levers have changed since they were "
            "computed (they are for the settings named below). Press **Run** for the new settings.",
            icon=":material/history:",
        )
        st.html(STALE_STYLE)
    with st.container(key="results"):
        st.caption(
            f"Results for **{case.title}**, {wording.describe_changes(comparison.overrides)}; "
            f"{comparison.replicates} runs with the community and {comparison.replicates} without, "
            "paired by their chance events."
        )
        with st.container(key="headline"):
            st.subheader(wording.headline_for(comparison), anchor=False)
        with st.container(key="status"):
            st.markdown(f"**{case_status(comparison.scenario)}**")
        with st.container(key="verdict"):
            st.markdown(wording.verdict_for(comparison))

        with st.container(key="chart"):
            st.altair_chart(adoption_chart(output), width="stretch")
            first, last = middle_ranks(comparison.replicates)
            middle_runs = wording.runs(last - first + 1, comparison.replicates)
            st.caption(
                "Line: the middle run at each moment (it crosses 50 % at the time to 50 % adoption). "
                f"Shaded: where the middle {middle_runs} lie. Dotted: half of the {case.unit}."
            )

        all_cards = wording.cards(comparison)
        for row in (all_cards[:4], all_cards[4:]):
            show_cards(row)

        st.header("Cost in dollars", anchor=False)
        with st.container(key="costs"):
            rates = rate_inputs()
            show_cards(wording.cost_cards(comparison, rates))

        st.header("Participation over time", anchor=False)
        with st.container(key="participation"):
            st.altair_chart(participation_chart(output), width="stretch")
            note = "Solid: with your settings."
            if comparison.reference is not None:
                note = "Solid: with your settings; dashed: the case as configured."
            st.caption(
                f"Members, active and core members, averaged over runs. {note} {sharing_text(output)}."
            )

        net_col, net_text = st.columns([1, 1])
        with net_col:
            st.pyplot(draw_network(output.network), width="content")
        with net_text:
            snap = output.network
            key = case.outcome.key
            middle_value = comparison.values(key)[comparison.network_replicate]
            if math.isnan(middle_value):
                said = wording.not_reached(horizon)
            else:
                said = wording.amount(middle_value, case.outcome.unit)
            st.markdown(
                f"**The community's network in the middle run**, after {wording.years_text(snap.week / 52)} "
                f"(the run whose {case.outcome.short.lower()} is the one given above: {said}). People in the "
                f"{len(snap.org_labels)} organizations with the most members (each colour one organization; "
                "up to 12 people each). Red lines are ties across organizations, the bridges a community "
                f"builds; grey lines are ties inside one organization. The whole network has {snap.members} "
                f"members and {snap.cross_ties_total} ties across organizations."
            )

    st.header("Export", anchor=False)
    st.markdown("Run the same settings from a terminal (gives the same numbers, with the baseline):")
    with st.container(key="export-command"):
        st.code(
            export.command_line(
                comparison.scenario, comparison.overrides, comparison.replicates, rates=current_rates()
            ),
            language="bash",
        )
    stem = export.file_stem(request)
    col_yaml, col_csv, col_memo = st.columns(3)
    col_yaml.download_button(
        "Experiment file (YAML)",
        export.experiment_yaml(comparison.scenario, comparison.overrides, comparison.replicates, case.title),
        file_name=f"{stem}.yaml",
        mime="text/yaml",
        key="download-yaml",
    )
    # downloads are drawn when clicked (Streamlit calls these then), not on every run of the page
    col_csv.download_button(
        "Results (CSV, one row per run)",
        functools.partial(export.results_csv, comparison),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key="download-csv",
    )
    col_memo.download_button(
        "Memo (one page: open it and print to PDF)",
        functools.partial(memo.memo_html, request, output, current_rates(), saved_outputs()),
        file_name=memo.file_name(request),
        mime="text/html",
        key="download-memo",
        help="The case and settings, the headline with its status line and verdict, the chart, the cards "
        "that matter and the cost in dollars, the saved scenarios compared, and the command that "
        "reproduces it, on one page.",
    )


def current_rates() -> CostRates:
    state = st.session_state
    return CostRates(**{name: float(state[f"rate.{name}"]) for name in links.RATE_NAMES})


def show_cards(cards: list[wording.Card]) -> None:
    """A row of result cards (up to four)."""
    for column, card in zip(st.columns(4), cards, strict=False):
        with column.container(border=True, key=f"card-{card.label}"):
            st.markdown(f"**{card.label}**", help=card.explain)
            st.subheader(card.value, anchor=False)
            st.caption("  \n".join(card.detail))


def rate_inputs() -> CostRates:
    """The loaded annual costs per FTE (and the sponsor's time share), editable; they price the
    results shown without running anything again."""
    columns = st.columns(4)
    for column, (name, (label, help_text)) in zip(columns, RATE_FIELDS.items(), strict=True):
        if name == "sponsor_fte_at_full":
            column.number_input(label, 0.0, 1.0, step=0.01, key=f"rate.{name}", help=help_text)
        else:
            column.number_input(label, 0.0, 5_000_000.0, step=1000.0, format="%.0f", key=f"rate.{name}",
                                help=help_text)  # fmt: skip
    return current_rates()


#: the cost inputs: label and help (sources of the defaults)
RATE_FIELDS = {
    "coordinator": (
        "Coordinator, $ per FTE-year",
        "Loaded annual cost of one full-time coordinator. Default: GS-13 step 1, Washington-Baltimore "
        "2024 (OPM table 2024-DCB, $117,962) plus benefits at 36.25 % (OMB Circular A-76).",
    ),
    "support_staff": (
        "Support staff, $ per FTE-year",
        "Loaded annual cost of one full-time support-team member; this community pays its share "
        "(staff / communities served). Default: GS-12 step 1, 2024-DCB ($99,200) plus 36.25 %.",
    ),
    "sponsor": (
        "Sponsor, $ per FTE-year",
        "Loaded annual cost of the executive sponsor's time. Default: GS-15 step 1, 2024-DCB "
        "($163,964) plus 36.25 %.",
    ),
    "sponsor_fte_at_full": (
        "Sponsor's time at full sponsorship (FTE)",
        "Share of a full-time job the sponsor spends on the community at sponsorship 1; it scales with "
        "the sponsorship in force. Default 0.05 (about two hours a week): a guess.",
    ),
}


# ------------------------------------------------------------------------------------ saved
def saved_outputs() -> list[tuple[saved.Saved, JobOutput | None]]:
    """The saved scenarios with their answers; missing answers (a restarted server) are requested."""
    state = st.session_state
    jobs: dict[Request, Job] = state.setdefault("saved_jobs", {})
    out = []
    for item in state["saved"]:
        answer = dispatcher().answer(item.request)
        if answer is None:
            job = jobs.get(item.request)
            if job is None or (job.finished and job.state != "done"):
                try:
                    jobs[item.request] = dispatcher().submit(item.request, state["alive"])
                    state["saved_waiting"] = True
                except ConfigError:
                    continue
            elif job.finished:
                answer = job.output
        out.append((item, answer))
    return out


def save_button(request: Request) -> None:
    """Save the results shown under a name the user may give."""
    state = st.session_state
    full = len(state["saved"]) >= links.MAX_SAVED
    already = any(item.request == request for item in state["saved"])
    name_col, button_col = st.columns([3, 2], vertical_alignment="bottom")
    name = name_col.text_input(
        "Name for these results (optional)",
        key="save-name",
        max_chars=saved.MAX_NAME,
        placeholder=saved.default_name(request),
        disabled=full or already,
    )
    if button_col.button(
        f"Save for comparison ({len(state['saved'])} of {links.MAX_SAVED})",
        disabled=full or already,
        key="save",
        icon=":material/bookmark_add:",
    ):
        state["saved"].append(saved.Saved.of(request, name))
        st.rerun()


def show_saved() -> None:
    state = st.session_state
    items = saved_outputs()
    if not items:
        return
    st.header("Saved scenarios, side by side", anchor=False)
    table = {}
    for i, (item, output) in enumerate(items):
        label = item.label(i)
        if output is None:
            table[label] = {"": "being recomputed (the server restarted since it was saved)"}
            continue
        table[label] = {"settings": saved.default_name(item.request)}
        table[label].update({card.label: card.value for card in wording.cards(output.comparison)})
    with st.container(key="saved-table"):
        st.dataframe(pd.DataFrame(table), width="stretch")
    first, first_output = items[0]
    lines = [saved.difference(first, first_output, item, output, chr(66 + i))
             for i, (item, output) in enumerate(items[1:])]  # fmt: skip
    if lines:
        with st.container(key="saved-differences"):
            st.markdown("**Paired differences** (each against A, run by run on the same chance events):")
            st.markdown("\n".join(f"- {escape(line)}" for line in lines))
    curves = [
        output.comparison.curve().query("condition == 'community'").assign(scenario=item.label(i))
        for i, (item, output) in enumerate(items)
        if output is not None
    ]
    if curves:
        overlay = (
            alt.Chart(pd.concat(curves))
            .mark_line()
            .encode(
                x=alt.X("years:Q", title="years since launch"),
                y=alt.Y(
                    "middle:Q",
                    title="adopted (middle run)",
                    axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1]),
                ),
                color=alt.Color(
                    "scenario:N",
                    title=None,
                    scale=alt.Scale(range=["#1b6ca8", "#d95f02", "#1b9e77"]),
                    legend=alt.Legend(orient="top", direction="vertical", labelLimit=800),
                ),
            )
            .properties(height=260)
        )
        st.altair_chart(overlay, width="stretch", height=320)
    left, right = st.columns(2)
    csv = saved.table_csv(items)
    if csv:
        left.download_button("Saved scenarios (CSV, one row per run)", csv, mime="text/csv",
                             file_name="whatif-saved-scenarios.csv", key="download-saved")  # fmt: skip
    if right.button("Clear saved scenarios", key="clear-saved"):
        state["saved"] = []
        st.rerun()


def escape(text: str) -> str:
    """Text shown as it is in Markdown (a user's name may hold * _ [ ] and the like)."""
    return re.sub(r"([\\`*_{}\[\]()#+!|<>~$-])", r"\\\1", text)


# ------------------------------------------------------------------------------------ what it takes
def what_it_takes(request: Request | None) -> None:
    """The target search: the least coordinator time that meets a target in most runs."""
    state = st.session_state
    st.header("What does it take?", anchor=False)
    if request is None:
        return
    case = case_of(request.scenario)
    outcome = case.outcome
    horizon = levers.scenario_defaults(request.scenario).horizon_weeks
    limit = horizon / 52 if outcome.unit == "years" else float(horizon)
    st.caption(
        f"The least coordinator time (0 to 40 hours a week, with your other settings) that gets "
        f"{outcome.subject} within the time you set, in at least as many runs as you ask for. Each setting "
        f"tried is {request.replicates} runs on the same chance events; the search halves the range each "
        "step, assuming more coordinator time never makes the target less likely."
    )
    left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
    step = 0.5 if outcome.unit == "years" else 4.0
    state.setdefault("target.within", min(5.0, limit) if outcome.unit == "years" else min(40.0, limit))
    label = f"{wording.capital(outcome.subject)} within ({outcome.unit})"
    within = left.number_input(label, step, limit, step=step, key="target.within")
    state.setdefault("target.at_least", max(1, round(0.8 * request.replicates)))
    if state["target.at_least"] > request.replicates:
        state["target.at_least"] = request.replicates
    at_least = middle.number_input(f"in at least this many of the {request.replicates} runs", 1,
                                   request.replicates, key="target.at_least")  # fmt: skip
    job: Job | None = state.get("search_job")
    busy = job is not None and not job.finished
    if right.button("Find it", key="find-it", disabled=busy, width="stretch"):
        target = Target(outcome.key, float(within), request.replicates, int(at_least))
        try:
            state["search_job"] = dispatcher().submit(
                SearchRequest(search_base(request), target), state["alive"]
            )
        except (ConfigError, ValueError) as exc:
            st.error(f"This target cannot be searched: {exc}")
        st.rerun()
    st.fragment(search_progress, run_every=PROGRESS_EVERY if busy else None)()
    if state.get("search_error"):
        st.error(f"The search failed: {state['search_error']}")
    answer = state.get("search_result")
    if answer is not None:
        asked, result = answer
        with st.container(key="search-answer"):
            st.markdown(f"**{target_search.sentence(result, outcome.subject, outcome.unit)}**")
            if asked.request != search_base(request):
                st.caption("(for the settings when it was asked; the case or levers have changed since)")
            x = alt.X(
                "coordinator_hours_per_week:Q",
                title="coordinator hours per week",
                scale=alt.Scale(domain=[0, 40]),
            )
            y = alt.Y("runs_meeting_target:Q", title="runs meeting the target",
                      scale=alt.Scale(domain=[0, result.target.runs]))  # fmt: skip
            points = alt.Chart(result.table()).mark_line(point=True).encode(x=x, y=y)
            target_line = pd.DataFrame({"y": [result.target.at_least]})
            rule = alt.Chart(target_line).mark_rule(strokeDash=[3, 3]).encode(y="y:Q")
            st.altair_chart((points + rule).properties(height=220), width="stretch", height=260)
            st.caption("Each point: a setting the search ran. Dotted: the runs the target asks for.")


def search_base(request: Request) -> Request:
    """The request without its coordinator time (the search chooses that)."""
    kept = tuple(o for o in request.overrides if not o.startswith("coordinator.fte="))
    return Request(request.scenario, kept, request.replicates)


def search_progress() -> None:
    """Where the search is; when it is answered, reruns the page to show it."""
    state = st.session_state
    job: Job | None = state.get("search_job")
    if job is None:
        return
    if job.finished:
        state["search_job"] = None
        state["search_error"] = job.error if job.state == "failed" else None
        if job.state == "done":
            state["search_result"] = (job.request, job.output)
        st.rerun(scope="app")
    ahead = dispatcher().ahead(job)
    if job.state == "queued":
        text = f"waiting in line: {ahead} request{'s' if ahead != 1 else ''} ahead of yours"
    else:
        text = f"searching: {job.done} settings tried (at most {job.total})"
    with st.container(key="search-progress"):
        st.progress(job.fraction, text=text)


# ------------------------------------------------------------------------------------ your own community
def describe_your_own(scenario: str) -> None:
    """Start from this case, change the world, and save it as a scenario file of your own."""
    st.header("Describe your own community", anchor=False)
    base = own_scenario.from_config(levers.scenario_defaults(scenario))
    st.caption(
        f"Start from {case_of(scenario).title}: change the organizations, people, channels and horizon, "
        "and save it under a name of your own. It is checked like any scenario (one line if something is "
        f"wrong, and nothing saved), then saved in {own_scenario.user_scenario_dir()} and added to the "
        "case list; the levers on the left then apply to it."
    )
    with st.form(key=f"own-{scenario}"):
        top = st.columns([2, 1, 1, 1, 1.4])
        name = top[0].text_input(
            "Name (lowercase letters, digits, _)", max_chars=40, key=f"own.{scenario}.name"
        )
        most = own_scenario.MAX_ORGANIZATIONS
        organizations = top[1].number_input("Organizations", 1, most, value=min(base.n_organizations, most),
                                            key=f"own.{scenario}.orgs")  # fmt: skip
        people = top[2].number_input("People (practitioners)", 1, own_scenario.MAX_PRACTITIONERS,
                                     value=min(base.n_practitioners, own_scenario.MAX_PRACTITIONERS),
                                     key=f"own.{scenario}.people")  # fmt: skip
        years = top[3].number_input("Horizon (years)", 1, own_scenario.MAX_YEARS, value=base.horizon_years,
                                    key=f"own.{scenario}.years")  # fmt: skip
        already = top[4].number_input(
            "Already using it at launch (share of adopters)", 0.0, 1.0, value=float(base.initial_adoption),
            step=0.05, key=f"own.{scenario}.initial",
            help="Share of the organizations that adopt which already use the practice when the community "
            "starts (adoption.initial_adopters).",
        )  # fmt: skip
        st.markdown("**Kinds of organizations** (shares must add up to 1; a kind with share 0 is left out)")
        kinds = []
        for i, kind in enumerate([*base.kinds, own_scenario.OrgKind("", 0.0, "state", "state", False, 0.5)]):
            cols = st.columns([2, 1.2, 2, 2, 1.4, 2])
            k = f"own.{scenario}.kind{i}."
            kind_name = cols[0].text_input("Kind", value=kind.name, key=k + "name", placeholder="new kind")
            share = cols[1].number_input(
                "Share", 0.0, 1.0, value=float(kind.share), step=0.05, key=k + "share"
            )
            sector = cols[2].selectbox("Sector", SECTORS, index=SECTORS.index(kind.sector), key=k + "sector")
            level = cols[3].selectbox("Level", LEVELS, index=LEVELS.index(kind.level), key=k + "level")
            adopting = cols[4].checkbox("Adopts", value=kind.adopting, key=k + "adopting")
            silo = cols[5].slider(
                "Silo strength", 0.0, 1.0, value=float(kind.silo), step=0.05, key=k + "silo"
            )
            if kind_name.strip() and share > 0:
                kinds.append(own_scenario.OrgKind(kind_name.strip(), share, sector, level, adopting, silo))
        st.markdown("**Channels the community uses** (0 not at all, 1 fully)")
        cols = st.columns(3)
        channels = []
        for i, (channel, value) in enumerate(base.channels):
            label = channel.replace("_", " ").capitalize().replace("Qa", "Q&A")
            channels.append((channel, cols[i % 3].slider(label, 0.0, 1.0, value=value, step=0.1,
                                                          key=f"own.{scenario}.{channel}")))  # fmt: skip
        saved_it = st.form_submit_button("Save as my scenario")
    if saved_it:
        community = own_scenario.Community(
            name.strip(), scenario, int(organizations), int(people), tuple(kinds), tuple(channels),
            int(years), float(already),
        )  # fmt: skip
        try:
            path = own_scenario.save(community)
        except ConfigError as exc:
            st.error(f"Not saved: {exc}")
        else:
            st.session_state["switch_case"] = community.name
            st.session_state["own_saved"] = str(path)
            st.rerun()
    if st.session_state.get("own_saved"):
        st.success(f"Saved as {st.session_state['own_saved']}; it is now in the case list.")


# ------------------------------------------------------------------------------------ page
def main() -> None:
    """Lay out the page for one script run (Streamlit reruns it on every interaction)."""
    st.set_page_config(page_title="copsim: what if?", layout="wide")
    st.html(STYLE)
    start_from_link()
    state = st.session_state
    current = state.get("current")

    if state.get("switch_case"):  # a scenario just saved: pick it (before the picker is drawn)
        state["case"] = state.pop("switch_case")
    with st.sidebar:
        offered = [*CASES, *own_scenario.user_scenarios()]
        scenario = st.selectbox("1. Pick a case", offered, key="case", format_func=lambda s: case_of(s).title)
        job: Job | None = state.get("job")
        running = job is not None and not job.finished
        run_clicked = st.button("Run", type="primary", disabled=running, key="run", width="stretch")
        replicates = st.slider(
            "Number of runs",
            levers.MIN_REPLICATES,
            levers.MAX_REPLICATES,
            key="runs",
            help="The model is run this many times with different chance events, and as many "
            "times again without the community, on the same chance events. More runs give "
            "narrower 95 % intervals but take longer; 6 or more are needed for an interval "
            "of a time.",
        )
        st.markdown("**2. Move the levers**")
        chosen = lever_widgets(scenario, sharing_text(current[1] if current else None))

    try:
        request = Request.of(scenario, chosen, int(replicates))
    except ConfigError as exc:
        request = None
        st.error(f"These settings cannot be run: {exc}")
    if request is not None:
        st.query_params.from_dict(links.to_query(request, state["saved"], current_rates()))
    if run_clicked and request is not None and not running:
        try:
            submit(request)
        except ConfigError as exc:
            st.error(f"These settings cannot be run: {exc}")
        st.rerun()

    case = case_of(scenario)
    st.title("What if we back a community of practice?", anchor=False)
    if case.sentences[0]:
        st.markdown(
            f"**{case.title}.** {case.kind}  \n"
            f"> {case.sentences[0]} {case.sentences[1]}  \n"
            "> — Snyder & Briggs, *Communities of Practice: A New Tool for Government Managers* (2003)"
        )
    else:
        st.markdown(f"**{case.title}.** {case.kind}")
    for problem in state.get("link_problems", []):
        st.warning(f"Part of the link was not used: {problem}")

    with st.expander("How to read this page"):
        st.markdown(how_to_read(scenario))

    st.fragment(
        progress_panel, run_every=PROGRESS_EVERY if (running or state.get("saved_waiting")) else None
    )()
    if state.get("error"):
        st.error(f"The run failed: {state['error']}")

    if current is not None:
        shown_request, output = current
        show_results(shown_request, output, stale=shown_request != request)
        save_button(shown_request)
    elif not running:
        st.info("Choose a case and the levers on the left, then press **Run**.")
    show_saved()
    what_it_takes(request)
    describe_your_own(scenario)


def how_to_read(scenario: str) -> str:
    case = case_of(scenario)
    horizon = wording.years_text(levers.horizon_years(levers.scenario_defaults(scenario)))
    return f"""
- **What this is.** An agent-based simulation (copsim): practitioners in many organizations, a community
  coordinator, a sponsor and perhaps a support team, week by week for {horizon}. Members share what they
  know; {case.unit} adopt a proven practice sooner when people they trust already use it.
- **What it is not.** A forecast. {case_status(scenario)} Each parameter's source is listed in
  `docs/ODD.md`. Use it to compare options and see which levers matter, not to promise a date.
- **Runs.** Each *Run* simulates the case many times with different chance events, and as many times
  **without** the community ("dissemination alone": information is published, nobody convenes people).
  Run *r* with and without the community shares its chance events, so their difference is the
  community's effect in that run.
- **A time** such as "7.3 years" is the time by which at least half of the runs got there. Runs that
  did not get there within {horizon} are counted, never averaged in as a number; if fewer than half got
  there, the page says "not within {horizon}".
- **Two ranges.** "95 % confidence 6.9–7.8" says how sure that number is: with more runs it narrows.
  "In 8 of 10 runs 5.0–9.9 years" says how much runs differ: that does not narrow with more runs.
- **Sooner or not.** The community is called sooner only when the 95 % interval of the run-by-run
  difference excludes zero; otherwise the page says the two cannot be told apart with this many runs.
- **Reproduce it.** *Export* gives the exact command an analyst runs to get the same numbers.
"""


# Streamlit runs this file as __main__; worker processes (spawn) import it as __mp_main__
# and must not lay out a page.
if __name__ == "__main__":
    main()

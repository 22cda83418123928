"""The dashboard in a real browser: Debian's Chromium driven by Playwright (never `playwright install`).

The app is started as users start it (``copsim-app --port P``, on a free port) in a subprocess
whose Python audits every outgoing connection and name lookup, so a test can require that the
server never reached outside this machine. Each test walks what a user does: a policy user's run
checked against ``simulate_ensemble`` and the exported ``copsim-run`` command; two and five
sessions at once; stale results; links and reloads; saved scenarios compared run by run;
extreme settings; the 1366 x 768 layout; and a server bound beyond loopback.
"""

from __future__ import annotations

import io
import math
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import copsim
from copsim.analysis.costs import CostRates, run_costs
from copsim.analysis.times import summarize_times
from copsim.app import wording
from copsim.app.cases import CASES
from copsim.app.levers import LEVER_KEYS
from copsim.app.results import NOT_REACHED
from copsim.model.config import USER_SCENARIOS_ENV

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
]
RUN_TIMEOUT_MS = 240_000
#: the server's Python reports every outgoing connection and name lookup that is not this machine
AUDITED_APP = """
import ipaddress, sys

LOCAL = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "::", "", None}


def local(host):
    if isinstance(host, bytes):
        host = host.decode()
    if host in LOCAL or host == sys.argv[1]:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback or host in ADDRESSES
    except ValueError:
        return False


ADDRESSES = set(sys.argv[2].split(","))


def audit(event, args):
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and not local(address[0]):
            print(f"OUTSIDE REQUEST: connect {address}", file=sys.stderr, flush=True)
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"):
        if not local(args[0]):
            print(f"OUTSIDE REQUEST: {event} {args[0]}", file=sys.stderr, flush=True)


sys.addaudithook(audit)
from copsim.app.cli import main

main(sys.argv[3:])
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def outside_address() -> str | None:
    """A non-loopback IPv4 address of this machine, if it has one (without asking the network)."""
    try:
        out = subprocess.run(["ip", "-4", "-o", "addr", "show", "scope", "global"], capture_output=True,
                             text=True, timeout=10).stdout  # fmt: skip
    except OSError:
        return None
    found = re.findall(r"inet (\d+\.\d+\.\d+\.\d+)/", out)
    return found[0] if found else None


class App:
    """A running ``copsim-app`` and its log."""

    def __init__(self, tmp: Path, host: str = "127.0.0.1", visit: str = "127.0.0.1") -> None:
        self.port = free_port()
        self.log = tmp / f"app-{self.port}.log"
        self.scenarios = tmp / "scenarios"  # the users' own scenarios: never the real home directory
        own = ",".join(a for a in (visit, outside_address()) if a)
        self._file = self.log.open("w")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                AUDITED_APP,
                socket.gethostname(),
                own,
                "--host",
                host,
                "--port",
                str(self.port),
            ],
            stdout=self._file,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, USER_SCENARIOS_ENV: str(self.scenarios)},
        )
        self.url = f"http://{visit}:{self.port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    pytest.fail(f"copsim-app did not come up:\n{self.text()}")
                time.sleep(0.3)

    def text(self) -> str:
        if not self._file.closed:
            self._file.flush()
        return self.log.read_text()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._file.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    running = App(tmp_path_factory.mktemp("app"))
    yield running
    running.stop()
    log = running.text()
    assert "Traceback" not in log, log  # no tracebacks, closed tabs and cancelled runs included
    assert "OUTSIDE REQUEST" not in log, log


@pytest.fixture(scope="module")
def app_url(app):
    return app.url


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    assert Path(CHROMIUM).exists(), (
        "Debian chromium is missing: run `make browser` (scripts/install_chromium.sh)"
    )
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(browser, url, external: list[str], width: int = 1400, height: int = 2400, path: str = ""):
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    parts = urllib.parse.urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}/"
    page.on(
        "request",
        lambda r: None if r.url.startswith(origin) or r.url.startswith("data:") else external.append(r.url),
    )
    page.goto(url + path)
    run_button(page).wait_for(timeout=60_000)
    return page


def run_button(page):
    return page.get_by_role("button", name="Run", exact=True)


def pick_case(page, scenario: str) -> None:
    case = CASES[scenario]
    page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.click()
    page.get_by_role("option", name=case.title).click()
    page.get_by_text(case.sentences[0][:50]).wait_for(timeout=20_000)


def set_slider(page, label: str, target: int) -> None:
    """Move a slider with the keyboard, as a user without a mouse would."""
    slider = page.get_by_role("slider", name=label)
    current = float(slider.get_attribute("value"))
    step = float(slider.get_attribute("step"))
    slider.focus()
    key = "ArrowRight" if target > current else "ArrowLeft"
    for _ in range(round(abs(target - current) / step)):
        page.keyboard.press(key)
    page.wait_for_function(
        '([label, target]) => { const s = document.querySelector(`input[aria-label="${label}"]`);'
        " return s && Number(s.value) === target; }",
        arg=[label, target],
        timeout=10_000,
    )
    page.wait_for_timeout(700)  # let Streamlit receive the new value and rerun


def run_and_wait(page, see_progress: bool = False) -> str:
    """Press Run (seeing the progress bar and the disabled Run button), wait for the new headline."""
    from playwright.sync_api import expect

    run_button(page).click()
    if see_progress:
        expect(page.locator(".st-key-progress")).to_be_visible(timeout=20_000)
        expect(run_button(page)).to_be_disabled()
    return wait_for_headline(page)


def wait_for_headline(page) -> str:
    """The headline once the page shows up-to-date results (nothing running, nothing stale)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "() => !document.querySelector('.st-key-progress') && document.querySelector('.st-key-headline')"
            " && !document.body.innerText.includes('These results are out of date')",
            timeout=RUN_TIMEOUT_MS,
            polling=250,
        )
    except PlaywrightTimeout:  # say what the page showed instead (progress, queue place, an error)
        seconds = RUN_TIMEOUT_MS / 1000
        pytest.fail(f"no up-to-date headline within {seconds:.0f} s; the page said:\n{main_text(page)}")
    return page.locator(".st-key-headline").inner_text().strip()


def exported_command(page) -> str:
    code = page.locator(".st-key-export-command code")
    code.wait_for(timeout=20_000)
    return " ".join(code.text_content().split())


def main_text(page) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


def test_a_policy_user_runs_a_case_and_an_analyst_reproduces_it(browser, app_url, tmp_path):
    external: list[str] = []
    page = open_page(browser, app_url, external)
    pick_case(page, "safecities")
    set_slider(page, "Coordinator time (hours per week)", 20)  # 36 -> 20 hours: coordinator.fte=0.5
    set_slider(page, "Number of runs", 2)
    headline = run_and_wait(page, see_progress=True)
    chart = page.locator(".st-key-chart [data-testid=stVegaLiteChart]")
    chart.wait_for(timeout=20_000)
    assert chart.bounding_box()["height"] > 100
    assert page.locator(".st-key-status").inner_text().startswith("Illustrative, not a forecast")

    # the community's time agrees with simulate_ensemble on the same settings and seeds
    config = copsim.load_config("safecities", ["coordinator.fte=0.5"])
    community = copsim.simulate_ensemble(config, 2)
    assert headline.startswith("Half of the cities adopt the practice "), headline
    t50 = summarize_times(community.summary["t50_years"])
    if t50.reached:
        assert f"within {t50.median:.1f} years with the community" in headline, headline

    # the page's results CSV: the settings, then exactly those runs and the paired baseline
    with page.expect_download() as download:
        page.get_by_role("button", name="Results (CSV, one row per run)").click()
    assert download.value.suggested_filename == "whatif-safecities-fte0.5-2runs.csv"
    page_csv = tmp_path / download.value.suggested_filename
    download.value.save_as(page_csv)
    page_table = pd.read_csv(page_csv, keep_default_na=False)
    assert set(page_table["case"]) == {"safecities"} and set(page_table["coordinator.fte"]) == {0.5}
    assert "" not in set(page_table["t50_years"].astype(str))  # never a blank cell
    # without the settings and with "not reached" as a missing value, it is copsim-run's summary.csv
    numbers = page_table.drop(columns=["case", "runs", *LEVER_KEYS]).replace(NOT_REACHED, math.nan)
    numbers = pd.read_csv(io.StringIO(numbers.to_csv(index=False)))
    expected = pd.read_csv(io.StringIO(community.summary.to_csv(index=False)))
    page_community = numbers[numbers["condition"] == "community"].drop(columns="condition")
    pd.testing.assert_frame_equal(page_community.reset_index(drop=True), expected)

    # the exported command line, run through the CLI, gives the same numbers
    command = exported_command(page)
    assert command == "copsim-run scenario=safecities coordinator.fte=0.5 replicates=2 costs.enabled=true"
    executable = Path(sys.executable).with_name("copsim-run")
    out = tmp_path / "cli"
    done = subprocess.run(
        [str(executable), *shlex.split(command)[1:], f"out={out}"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    cli = pd.read_csv(out / "summary.csv")
    # priced at the page's (default) rates, as the page prices them
    dollars = run_costs(community.summary, config, CostRates())["total"]
    np.testing.assert_allclose(cli.loc[cli["community.enabled"], "cost_total_usd"], dollars)
    # copsim-run names its conditions as a sweep does (id, index, label); the page by its arm
    arm = np.where(cli["community.enabled"], "community", "baseline")
    cli = cli.assign(condition=arm)[list(numbers.columns)]
    pd.testing.assert_frame_equal(cli, numbers)

    # and the headline is what those numbers say
    cli_community = cli[cli["condition"] == "community"].reset_index(drop=True)
    cli_baseline = cli[cli["condition"] == "baseline"].reset_index(drop=True)
    assert headline == wording.headline(
        CASES["safecities"], summarize_times(cli_community["t50_years"]),
        summarize_times(cli_baseline["t50_years"]), 10.0,
    )  # fmt: skip
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert external == [], f"the page fetched from the internet: {external}"


def test_two_sessions_at_once_each_see_only_their_own_case(browser, app_url):
    from playwright.sync_api import expect

    external: list[str] = []
    alice = open_page(browser, app_url, external, path="/?runs=2")  # the default case, Rumble Strips
    bob = open_page(browser, app_url, external, path="/?case=e_regulation&runs=2")
    run_button(alice).click()
    run_button(bob).click()  # both are answered
    for page in (alice, bob):
        wait_for_headline(page)
    alice_text, bob_text = main_text(alice), main_text(bob)
    assert "of the states" in alice.locator(".st-key-headline").inner_text()
    assert "of the agencies" in bob.locator(".st-key-headline").inner_text()
    assert "Results for Rumble Strips" in alice_text and "E-Regulation" not in alice_text
    assert "Results for E-Regulation" in bob_text and "Rumble Strips" not in bob_text
    assert re.search(r"scenario=rumble_strips\b", exported_command(alice))
    assert re.search(r"scenario=e_regulation\b", exported_command(bob))

    # what one person saves for comparison stays in that person's session
    alice.get_by_role("button", name=re.compile("Save for comparison")).click()
    expect(alice.locator(".st-key-saved-table")).to_be_visible(timeout=20_000)
    bob.get_by_text("How to read this page").click()  # any interaction reruns Bob's page
    bob.wait_for_timeout(1500)
    assert bob.locator(".st-key-saved-table").count() == 0
    assert external == [], f"the page fetched from the internet: {external}"


def test_five_users_pressing_run_together_all_get_answers_and_see_their_place(browser, app_url):
    from playwright.sync_api import expect

    external: list[str] = []
    hours = (38, 34, 30, 26, 22)  # five different questions: no answer can be shared
    pages = [
        open_page(browser, app_url, external, 1366, 768, f"/?runs=2&set=coordinator.fte={h / 40:g}")
        for h in hours
    ]
    for page in pages:
        run_button(page).click()
    # the last in line is told how many requests are ahead of it, and the page stays usable
    expect(pages[-1].locator(".st-key-progress")).to_contain_text("ahead of yours", timeout=30_000)
    pages[-1].get_by_text("How to read this page").click()
    expect(pages[-1].get_by_text("Sooner or not.")).to_be_visible(timeout=10_000)
    headlines = [wait_for_headline(page) for page in pages]
    assert all(h.startswith("Half of the states adopt the practice") for h in headlines)
    for page, h in zip(pages, hours, strict=True):
        assert f"coordinator {h} h/week" in main_text(page)
    # a tab closed while its request waits does not hold up the others, and leaves no traceback
    closing = [
        open_page(browser, app_url, external, path=f"/?runs=6&set=coordinator.fte={f}") for f in (0.2, 0.3)
    ]
    follower = open_page(browser, app_url, external, path="/?runs=2&set=coordinator.fte=0.4")
    for page in (*closing, follower):
        run_button(page).click()
    for page in closing:
        page.context.close()
    wait_for_headline(follower)
    assert external == [], f"the page fetched from the internet: {external}"


def test_results_go_stale_when_a_lever_moves_and_a_link_or_reload_restores_the_page(browser, app_url):
    from playwright.sync_api import expect

    external: list[str] = []
    page = open_page(browser, app_url, external, path="/?case=e_regulation&runs=2")
    run_and_wait(page)
    assert page.get_by_text("These results are out of date").count() == 0
    page.get_by_text("Retirement wave").click()
    expect(page.get_by_text("These results are out of date")).to_be_visible(timeout=10_000)
    assert page.locator(".st-key-results").evaluate("e => getComputedStyle(e).opacity") == "0.4"
    assert "demography.wave%3Dtrue" in page.url or "demography.wave=true" in page.url
    run_and_wait(page)
    expect(page.get_by_text("These results are out of date")).to_have_count(0)
    page.get_by_role("button", name=re.compile("Save for comparison")).click()
    expect(page.locator(".st-key-saved-table")).to_be_visible(timeout=20_000)
    link, headline = page.url, page.locator(".st-key-headline").inner_text()

    # a reload keeps the settings, the results and the saved scenario
    page.reload()
    run_button(page).wait_for(timeout=60_000)
    expect(page.locator(".st-key-headline")).to_have_text(headline, timeout=20_000)
    expect(page.locator(".st-key-saved-table")).to_be_visible(timeout=20_000)
    assert page.get_by_role("checkbox", name="Retirement wave").is_checked()
    # and the link opens the same page in another browser
    other = open_page(browser, link, external)
    expect(other.locator(".st-key-headline")).to_have_text(headline, timeout=30_000)
    assert other.get_by_role("checkbox", name="Retirement wave").is_checked()
    assert "Results for E-Regulation" in main_text(other)
    assert external == [], f"the page fetched from the internet: {external}"


def test_saved_scenarios_are_compared_run_by_run_with_an_interval_and_counts(browser, app_url):
    from playwright.sync_api import expect

    external: list[str] = []
    page = open_page(browser, app_url, external, path="/?case=safecities&runs=8")
    run_and_wait(page)
    page.get_by_role("button", name=re.compile("Save for comparison")).click()
    expect(page.locator(".st-key-saved-table")).to_be_visible(timeout=20_000)
    set_slider(page, "Coordinator time (hours per week)", 16)
    run_and_wait(page)
    page.get_by_role("button", name=re.compile("Save for comparison")).click()
    differences = page.locator(".st-key-saved-differences")
    expect(differences).to_be_visible(timeout=20_000)
    text = differences.inner_text()
    assert re.search(r"B sooner in \d of 8 runs, A sooner in \d", text), text
    assert "95 % confidence" in text and "middle pair" in text, text
    assert re.search(r"(beyond chance|cannot be told apart)", text), text
    assert "differences come from the settings, not from chance" not in main_text(page)
    assert external == []


EXTREMES = [
    "/?case=rumble_strips&runs=2&set=coordinator.fte=0&set=sponsor.level=0",
    "/?case=rumble_strips&runs=2&set=coordinator.fte=1&set=coordinator.team_size=10&set=sponsor.level=1"
    "&set=sponsor.mandate=true&set=sponsor.board=true&set=demography.wave=true",
    "/?case=company_command&runs=2&set=coordinator.fte=0.05&set=sponsor.departure_week=52&set=demography.wave=true",
    "/?case=e_regulation&runs=2&set=sponsor.mandate=true&set=sponsor.level=1"
    "&set=coordinator.technical_competence=0&set=coordinator.interpersonal_competence=0",
]


@pytest.mark.parametrize("path", EXTREMES)
def test_no_count_share_or_time_on_the_page_leaves_its_bounds(browser, app_url, path):
    external: list[str] = []
    page = open_page(browser, app_url, external, path=path)
    run_and_wait(page)
    page.wait_for_timeout(1000)
    text = main_text(page)
    assert not re.search(r"(?<![\w.])[-−]\s?\d", text), re.findall(r".{30}(?<![\w.])[-−]\s?\d.{10}", text)
    shares = [float(x) for x in re.findall(r"(\d+(?:\.\d+)?) ?%", text)]
    assert shares and all(0 <= s <= 100 for s in shares)
    assert not re.search(r"\b(nan|inf)\b", text, re.IGNORECASE)
    assert external == []


def test_every_lever_the_number_of_runs_and_run_fit_a_1366_by_768_screen(browser, app_url, tmp_path):
    external: list[str] = []
    # with results shown (the sharing rate then sits beside the mandate lever) and a lever changed
    page = open_page(
        browser, app_url, external, 1366, 768, "/?case=e_regulation&runs=2&set=sponsor.board=true"
    )
    run_and_wait(page)
    page.locator("[data-testid=stSidebar] [data-testid=stSidebarUserContent]").evaluate(
        "e => e.scrollTop = 0"
    )
    page.wait_for_timeout(1500)
    labels = ["Coordinator time (hours per week)", "Coordinators", "Knowledge of the field", "People skills",
              "Sponsorship", "Number of runs"]  # fmt: skip
    widgets = [page.get_by_role("slider", name=label) for label in labels]
    widgets += [page.get_by_role("checkbox", name=label) for label in ("Sponsor board", "Support team",
                                                                        "Retirement wave")]  # fmt: skip
    widgets += [
        run_button(page),
        page.get_by_role("radio", name="Mandated"),
        page.get_by_text("Sponsor leaves"),
    ]
    for widget in widgets:
        box = widget.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768, (widget, box)
    shot = tmp_path / "dashboard-1366x768.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    assert external == []


def test_a_server_bound_beyond_loopback_warns_reaches_nowhere_and_keeps_its_metrics_local(browser, tmp_path):
    address = outside_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to bind and visit")
    app = App(tmp_path, host="0.0.0.0", visit=address)
    try:
        assert "no login" in app.text() and "anyone who can reach" in app.text()
        with urllib.request.urlopen(f"http://127.0.0.1:{app.port}/_stcore/metrics", timeout=10) as r:
            assert r.status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{app.url}/_stcore/metrics", timeout=10)
        assert refused.value.code == 404
        external: list[str] = []
        page = open_page(browser, app.url, external, path="/?case=e_regulation&runs=2")
        run_and_wait(page)
        assert external == [], f"the page fetched from the internet: {external}"
    finally:
        app.stop()
    log = app.text()
    assert "OUTSIDE REQUEST" not in log, log
    assert "Traceback" not in log, log


if __name__ == "__main__":  # pragma: no cover - convenience: `python tests/test_app_browser.py`
    sys.exit(pytest.main([__file__, "-m", "browser", *os.sys.argv[1:]]))


def test_cost_inputs_change_the_dollars_but_not_the_simulation(browser, app_url):
    from playwright.sync_api import expect

    external: list[str] = []
    page = open_page(browser, app_url, external, path="/?case=rumble_strips&runs=2")
    headline = run_and_wait(page)
    total = page.locator(".st-key-costs [data-testid=stHeading]").first
    before = total.inner_text()
    assert before.startswith("$")
    rate = page.get_by_role("spinbutton", name="Coordinator, $ per FTE-year")
    rate.fill("320000")
    rate.press("Enter")
    expect(total).not_to_have_text(before, timeout=20_000)
    assert page.locator(".st-key-progress").count() == 0  # nothing ran again
    assert page.locator(".st-key-headline").inner_text().strip() == headline
    assert page.get_by_text("These results are out of date").count() == 0
    assert "rates=320000" in page.url
    assert external == []


def reachable_target(scenario: str) -> tuple[float, int] | None:
    """A target (years, runs of 2) that 40 hours a week meet and no coordinator time does not."""
    config = copsim.load_config(scenario)
    at = {
        h: copsim.simulate_ensemble(dataclasses_replace_fte(config, h / 40), 2).summary["t50_years"]
        for h in (0, 40)
    }
    at_least = int(at[40].notna().sum())
    if at_least == 0:
        return None
    within = math.ceil(at[40].max() * 2) / 2  # half-year steps, as the page offers
    return (within, at_least) if within <= 10 and (at[0] <= within).sum() < at_least else None


def test_a_target_search_finds_the_least_time_or_says_none_is_within_range(browser, app_url):
    from playwright.sync_api import expect

    # a target read from the model itself: the first case where coordinator time decides it
    found = next(((s, t) for s in ("safecities", "rumble_strips") if (t := reachable_target(s))), None)
    assert found is not None, "coordinator time decides no target in SafeCities or Rumble Strips"
    scenario, (within, at_least) = found
    external: list[str] = []
    page = open_page(browser, app_url, external, path=f"/?case={scenario}&runs=2")
    for value, expected in (
        (within, "The least coordinator time with which"),
        (0.5, "No coordinator time from 0 to 40"),
    ):
        page.get_by_role("spinbutton", name=re.compile("within \\(years\\)")).fill(str(value))
        page.get_by_role("spinbutton", name=re.compile("in at least this many")).fill(str(at_least))
        page.get_by_role("spinbutton", name=re.compile("in at least this many")).press("Enter")
        page.wait_for_timeout(800)
        page.get_by_role("button", name="Find it").click()
        expect(page.locator(".st-key-search-answer")).to_contain_text(expected, timeout=RUN_TIMEOUT_MS)
    assert external == []


def dataclasses_replace_fte(config, fte):
    import dataclasses

    return dataclasses.replace(config, coordinator=dataclasses.replace(config.coordinator, fte=fte))


def test_named_scenarios_and_a_one_page_memo_whose_numbers_are_the_pages(browser, app_url, tmp_path):
    from playwright.sync_api import expect

    external: list[str] = []
    page = open_page(browser, app_url, external, path="/?case=safecities&runs=6")
    headline = run_and_wait(page)
    page.get_by_role("textbox", name="Name for these results (optional)").fill("As planned")
    page.get_by_role("button", name=re.compile("Save for comparison")).click()
    expect(page.locator(".st-key-saved-table")).to_contain_text("A: As planned", timeout=20_000)
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Memo")).click()
    assert download.value.suggested_filename == "memo-whatif-safecities-6runs.html"
    memo_path = tmp_path / download.value.suggested_filename
    download.value.save_as(memo_path)
    memo_page = page.context.new_page()
    memo_page.goto(memo_path.as_uri())
    text = memo_page.locator("body").inner_text()
    assert headline in text and "Illustrative, not a forecast" in text and "A: As planned" in text
    assert "copsim-run scenario=safecities replicates=6" in text
    cost = page.locator(".st-key-costs [data-testid=stHeading]").first.inner_text()
    assert cost in text  # the dollars are the page's
    pdf = memo_page.pdf(format="Letter", print_background=True)
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1  # one page
    memo_page.screenshot(path=str(tmp_path / "memo.png"), full_page=True)
    assert external == [], f"the page fetched from the internet: {external}"


def test_a_two_agency_community_of_ones_own_is_saved_run_and_reproduced(browser, app, monkeypatch):
    from playwright.sync_api import expect

    external: list[str] = []
    page = open_page(browser, app.url, external, path="/?case=e_regulation&runs=2")
    name = f"two_agencies_{app.port}"
    form = page.locator("[data-testid=stForm]")
    form.get_by_role("textbox", name="Name (lowercase letters, digits, _)").fill(name)
    form.get_by_role("spinbutton", name="Organizations").fill("2")
    form.get_by_role("spinbutton", name="People (practitioners)").fill("40")
    form.get_by_role("spinbutton", name="Horizon (years)").fill("3")
    form.get_by_role("button", name="Save as my scenario").click()
    expect(page.get_by_text(f"Saved as {app.scenarios / (name + '.yaml')}")).to_be_visible(timeout=30_000)
    expect(page.get_by_text(f"{name} (your own scenario).")).to_be_visible(timeout=20_000)
    headline = run_and_wait(page)
    assert "half of the adopting units" in headline.lower(), headline
    # the saved file gives the same numbers outside the page
    monkeypatch.setenv(USER_SCENARIOS_ENV, str(app.scenarios))
    config = copsim.load_config(name)
    assert (config.world.n_organizations, config.world.n_practitioners, config.horizon_weeks) == (2, 40, 156)
    community = copsim.simulate_ensemble(config, 2).summary["t50_years"]
    t50 = summarize_times(community)
    if t50.reached:
        assert f"within {t50.median:.1f} years with the community" in headline, headline
    # a bad description is refused in one line and nothing more is saved
    form.get_by_role("textbox", name="Name (lowercase letters, digits, _)").fill("Bad Name")
    form.get_by_role("button", name="Save as my scenario").click()
    expect(page.get_by_text("Not saved: name: 'Bad Name' is not allowed")).to_be_visible(timeout=20_000)
    assert sorted(p.name for p in app.scenarios.iterdir()) == [f"{name}.yaml"]
    assert external == []

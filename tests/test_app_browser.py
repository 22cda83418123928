"""The dashboard in a real browser: Debian's Chromium driven by Playwright (never `playwright install`).

The app is started as users start it (``copsim-app --port P``) in a subprocess on a free port.
One test walks a policy user's path and checks the page's numbers against ``simulate_ensemble``
and against the exported ``copsim-run`` command; the other opens two sessions at once and checks
that each sees only its own case and results.
"""

from __future__ import annotations

import io
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

import copsim
from copsim.analysis.stats import mean_ci
from copsim.app import wording
from copsim.app.cases import CASES
from copsim.app.results import estimate

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
]
RUN_TIMEOUT_MS = 150_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url():
    """``copsim-app`` on a free local port; yields its printed address; stops it afterwards."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "copsim.app.cli", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    first_line = proc.stdout.readline()
    url = f"http://127.0.0.1:{port}"
    assert url in first_line, first_line
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail(
                    f"copsim-app did not come up: {proc.stdout.read() if proc.poll() is not None else ''}"
                )
            time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


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


def open_page(browser, url, external: list[str]):
    context = browser.new_context(viewport={"width": 1400, "height": 2400}, accept_downloads=True)
    page = context.new_page()
    page.on(
        "request",
        lambda r: None if r.url.startswith(url) or r.url.startswith("data:") else external.append(r.url),
    )
    page.goto(url)
    run_button(page).wait_for(timeout=30_000)
    return page


def run_button(page):
    return page.get_by_role("button", name="Run", exact=True)


def pick_case(page, scenario: str) -> None:
    case = CASES[scenario]
    page.locator("[data-testid=stSidebar]").get_by_text(case.title, exact=True).click()
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


def run_and_wait(page) -> str:
    """Press Run, see the progress bar and the disabled Run button, wait for the headline."""
    from playwright.sync_api import expect

    run_button(page).click()
    expect(page.locator("[data-testid=stProgress]")).to_be_visible(timeout=20_000)
    expect(run_button(page)).to_be_disabled()
    headline = page.locator(".st-key-headline")
    headline.wait_for(timeout=RUN_TIMEOUT_MS)
    return headline.inner_text().strip()


def exported_command(page) -> str:
    code = page.locator(".st-key-export-command code")
    code.wait_for(timeout=20_000)
    return " ".join(code.text_content().split())


def interval_text(values) -> str:
    reached = pd.Series(values).dropna().to_numpy()
    mean, lo, hi = mean_ci(reached)
    return f"{mean:.1f} years ({max(lo, 0.0):.1f}–{hi:.1f})"  # times shown from 0 up


def test_a_policy_user_runs_a_case_and_an_analyst_reproduces_it(browser, app_url, tmp_path):
    external: list[str] = []
    page = open_page(browser, app_url, external)
    pick_case(page, "safecities")
    set_slider(page, "Coordinator time (hours per week)", 20)  # 36 -> 20 hours: coordinator.fte=0.5
    set_slider(page, "Number of runs", 2)
    headline = run_and_wait(page)
    chart = page.locator(".st-key-chart [data-testid=stVegaLiteChart]")
    chart.wait_for(timeout=20_000)
    assert chart.bounding_box()["height"] > 100

    # the community's numbers agree with simulate_ensemble on the same settings and seeds
    config = copsim.load_config("safecities", ["coordinator.fte=0.5"])
    community = copsim.simulate_ensemble(config, 2)
    assert headline.startswith("Half of the cities "), headline
    reached = community.summary["t50_years"].notna()
    if 2 * reached.sum() >= len(reached):  # shown as a number (else said as not reached)
        assert interval_text(community.summary["t50_years"]) in headline, headline

    # the page's results CSV holds exactly those runs, and the paired baseline on the same seeds
    with page.expect_download() as download:
        page.get_by_role("button", name="Results (CSV, one row per run)").click()
    page_csv = tmp_path / "page-results.csv"
    download.value.save_as(page_csv)
    page_table = pd.read_csv(page_csv)
    expected = pd.read_csv(io.StringIO(community.summary.to_csv(index=False)))
    page_community = page_table[page_table["condition"] == "community"].drop(columns="condition")
    pd.testing.assert_frame_equal(page_community.reset_index(drop=True), expected)
    page_baseline = page_table[page_table["condition"] == "baseline"]
    assert list(page_baseline["seed"]) == list(community.summary["seed"])

    # the exported command line, run through the CLI, gives the same numbers
    command = exported_command(page)
    assert command == "copsim-run scenario=safecities coordinator.fte=0.5 replicates=2", command
    args = shlex.split(command)
    executable = Path(sys.executable).with_name("copsim-run")
    out = tmp_path / "cli"
    done = subprocess.run(
        [str(executable), *args[1:], f"out={out}"], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    cli = pd.read_csv(out / "summary.csv")
    pd.testing.assert_frame_equal(cli, page_table)

    # and the whole headline is what those numbers say (community and baseline, paired)
    cli_community = cli[cli["condition"] == "community"].reset_index(drop=True)
    cli_baseline = cli[cli["condition"] == "baseline"].reset_index(drop=True)
    assert headline == wording.headline(
        "cities",
        estimate(cli_community["t50_years"]),
        estimate(cli_baseline["t50_years"]),
        estimate(cli_baseline["t50_years"] - cli_community["t50_years"]),
        10.0,
    )

    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000
    assert external == [], f"the page fetched from the internet: {external}"


def test_two_sessions_at_once_each_see_only_their_own_case(browser, app_url):
    from playwright.sync_api import expect

    external: list[str] = []
    alice = open_page(browser, app_url, external)  # keeps the default case, Rumble Strips
    bob = open_page(browser, app_url, external)
    pick_case(bob, "e_regulation")
    for page in (alice, bob):
        set_slider(page, "Number of runs", 2)
    run_button(alice).click()
    run_button(bob).click()  # both simulate at the same time
    for page in (alice, bob):
        page.locator(".st-key-headline").wait_for(timeout=RUN_TIMEOUT_MS)

    alice_text, bob_text = (
        alice.locator("[data-testid=stMain]").inner_text(),
        bob.locator("[data-testid=stMain]").inner_text(),
    )
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


if __name__ == "__main__":  # pragma: no cover - convenience: `python tests/test_app_browser.py`
    sys.exit(pytest.main([__file__, "-m", "browser", *os.sys.argv[1:]]))

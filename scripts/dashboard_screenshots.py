"""Retake the dashboard screenshots in docs/images/.

    .venv/bin/python scripts/dashboard_screenshots.py

Starts ``copsim-app`` on a free local port, opens Debian's Chromium (Playwright) and saves:

* ``dashboard.png`` (the full page, 1366 wide) and ``dashboard-1366x768.png`` (what a 1366 x 768
  screen shows): **Run** on the default case with its default settings;
* ``dashboard-memo.png``: that result saved for comparison as "As planned", and its one-page memo;
* ``dashboard-own.png``: "What does it take?" answered for SafeCities (half of the cities within
  10 years in 2 of 2 runs) above the "Describe your own community" form.

Retake them whenever the model's rules or the page change, so the README and docs/DASHBOARD.md
show what users see.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_app import CHROMIUM, CHROMIUM_ARGS, start_app  # noqa: E402

IMAGES = ROOT / "docs" / "images"


def results(page) -> None:
    """The default case after Run; saved for comparison and its memo opened in a new tab."""
    page.get_by_role("button", name="Run", exact=True).click()
    page.locator(".st-key-headline").wait_for(timeout=600_000)
    page.locator(".st-key-chart [data-testid=stVegaLiteChart]").wait_for(timeout=60_000)
    page.mouse.move(900, 20)  # no hover highlight on Run
    page.wait_for_timeout(3000)  # the network picture and the charts finish drawing
    page.screenshot(path=str(IMAGES / "dashboard-1366x768.png"))
    # Streamlit scrolls inside its own container, so the whole page needs a tall window
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1366, "height": min(int(height), 2400)})
    page.wait_for_timeout(3000)
    page.screenshot(path=str(IMAGES / "dashboard.png"))


def memo(page, folder: Path) -> None:
    page.get_by_role("textbox", name="Name for these results (optional)").fill("As planned")
    page.get_by_role("button", name=re.compile("Save for comparison")).click()
    page.locator(".st-key-saved-table").wait_for(timeout=60_000)
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Memo")).click()
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    tab = page.context.new_page()
    tab.set_viewport_size({"width": 816, "height": 1056})  # US Letter at 96 dpi
    tab.goto(path.as_uri())
    tab.wait_for_timeout(1000)
    tab.screenshot(path=str(IMAGES / "dashboard-memo.png"), full_page=True)


def what_it_takes(page) -> None:
    page.get_by_role("spinbutton", name=re.compile("within \\(years\\)")).fill("10")
    runs = page.get_by_role("spinbutton", name=re.compile("in at least this many"))
    runs.fill("2")
    runs.press("Enter")
    page.wait_for_timeout(800)
    page.get_by_role("button", name="Find it").click()
    page.locator(".st-key-search-answer").wait_for(timeout=600_000)
    page.wait_for_timeout(2000)
    page.get_by_role("heading", name="What does it take?").scroll_into_view_if_needed()
    page.evaluate("document.querySelector('[data-testid=stMain]').scrollBy(0, -60)")
    page.wait_for_timeout(1000)
    page.screenshot(path=str(IMAGES / "dashboard-own.png"))


def main() -> None:
    from playwright.sync_api import sync_playwright

    proc, url = start_app(None)
    try:
        with sync_playwright() as p, tempfile.TemporaryDirectory() as folder:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
            page = context.new_page()
            page.goto(url)
            results(page)
            memo(page, Path(folder))
            own = browser.new_context(viewport={"width": 1366, "height": 2000}).new_page()
            own.goto(f"{url}/?case=safecities&runs=2")
            own.get_by_role("button", name="Run", exact=True).wait_for(timeout=60_000)
            what_it_takes(own)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(20)
    print(f"dashboard_screenshots: wrote dashboard.png, dashboard-1366x768.png, dashboard-memo.png and "
          f"dashboard-own.png in {IMAGES}")  # fmt: skip


if __name__ == "__main__":
    main()

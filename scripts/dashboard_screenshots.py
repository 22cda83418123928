"""Retake the dashboard screenshots in docs/images/ (the default case, after Run).

    .venv/bin/python scripts/dashboard_screenshots.py

Starts ``copsim-app`` on a free local port, opens Debian's Chromium (Playwright), presses **Run**
on the default case with its default settings and saves ``dashboard.png`` (the full page, 1366
wide) and ``dashboard-1366x768.png`` (what a 1366 x 768 screen shows). Retake them whenever the
model's rules or the page change, so the README and docs/DASHBOARD.md show what users see.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_app import CHROMIUM, CHROMIUM_ARGS, start_app  # noqa: E402

IMAGES = ROOT / "docs" / "images"


def main() -> None:
    from playwright.sync_api import sync_playwright

    proc, url = start_app(None)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            page.goto(url)
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
            browser.close()
    finally:
        proc.terminate()
        proc.wait(20)
    print(f"dashboard_screenshots: wrote {IMAGES / 'dashboard.png'} and dashboard-1366x768.png")


if __name__ == "__main__":
    main()

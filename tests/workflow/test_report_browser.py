"""The HTML report of a completed tiny run, opened in a real headless browser.

Builds `snakemake --report` on a copy of the suite's completed run and loads it with Playwright
in Chromium: the page must load without console errors or uncaught exceptions, list the result
categories (the summary, the classifiers, the data-driven hierarchy, the anomaly intervals...),
and show the anomaly figure and the data-driven mapping when they are opened. A screenshot of the
page with the anomaly figure open is saved as `results/report_screenshot.png` in the copy.

Chromium comes from Playwright's own download (`playwright install chromium`), or from the system
(Debian's `chromium` package, `.ci/browser.sh` installs it; or LITHOFLOW_CHROMIUM=path). The test
is skipped with the reason when the Playwright package or every browser is missing, unless
LITHOFLOW_REQUIRE_BROWSER=1 (then it fails).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.workflow.helpers import run_snakemake

pytestmark = [pytest.mark.browser, pytest.mark.workflow]

REPORT_HTML = "results/report.html"
SCREENSHOT = "results/report_screenshot.png"
SYSTEM_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CATEGORIES = (
    "Summary",
    "Classifiers",
    "Data-driven hierarchy",
    "Anomaly intervals",
    "Hierarchy validation",
    "Reconstruction validation",
)
# The page's own warning about its Tailwind script; not an error.
TIMEOUT_MS = 30_000


def unavailable(reason: str) -> None:
    message = f"{reason} (pip install playwright; then `playwright install chromium`, or apt-get "
    message += "install chromium; .ci/browser.sh does the latter)"
    if os.environ.get("LITHOFLOW_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def launch_chromium(playwright):
    """Playwright's Chromium, else a system one (LITHOFLOW_CHROMIUM first); skip if none runs."""
    candidates: list[str | None] = []
    if os.environ.get("LITHOFLOW_CHROMIUM"):
        candidates.append(os.environ["LITHOFLOW_CHROMIUM"])
    candidates.append(None)  # Playwright's own download
    candidates += [shutil.which(name) for name in SYSTEM_BROWSERS if shutil.which(name)]
    problems = []
    for executable in candidates:
        try:
            return playwright.chromium.launch(
                executable_path=executable, args=["--no-sandbox"], timeout=TIMEOUT_MS
            )
        except Exception as exc:  # a missing or broken browser: try the next one
            problems.append(f"{executable or 'playwright chromium'}: {str(exc).splitlines()[0]}")
    unavailable(f"no Chromium could be started: {'; '.join(problems)}")
    return None


@dataclass
class PageLog:
    """Console messages of type error and uncaught page exceptions."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def report_folder(completed_run, tmp_path_factory) -> Path:
    from tests.workflow.runs import copy_run

    workdir = copy_run(completed_run, tmp_path_factory.mktemp("report_browser") / "run")
    run_snakemake(workdir, extra_args=["--report", REPORT_HTML, "--nocolor"])
    return workdir


def test_report_opens_in_a_browser_with_its_items(report_folder: Path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package")
    log = PageLog()
    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.on(
            "console",
            lambda message: (
                log.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: log.page_errors.append(str(error)))
        page.goto((report_folder / REPORT_HTML).as_uri(), wait_until="load")

        menu = page.locator("body")
        for category in CATEGORIES:
            assert menu.get_by_text(category, exact=True).count() >= 1, category

        page.get_by_text("Data-driven hierarchy", exact=True).click()
        mapping = page.locator("tr", has_text="data_driven_mapping.csv")
        assert mapping.count() == 1
        assert page.locator("tr", has_text="data_driven_summary.json").count() == 1

        page.get_by_text("Results", exact=True).first.click()  # back to the categories
        page.get_by_text("Anomaly intervals", exact=True).click()
        assert page.locator("tr", has_text="anomalies.csv").count() == 1
        figure_row = page.locator("tr", has_text="anomaly_logs.png")
        figure_row.locator('a[iconname="eye"]').click()
        image = page.locator("img").last
        image.wait_for(state="visible")
        width = image.evaluate("img => img.complete ? img.naturalWidth : 0")
        assert width > 100, "the anomaly figure did not load"
        page.screenshot(path=str(report_folder / SCREENSHOT))
        browser.close()

    assert log.console_errors == []
    assert log.page_errors == []
    assert (report_folder / SCREENSHOT).stat().st_size > 10_000

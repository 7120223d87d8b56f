"""The rendered reports as a reader sees them: headless Chromium at 1280 px, nothing cut off, people-ready tables."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from apitoolkit.demo import environment
from apitoolkit.reports import REPORTS, Rendered, run_reports

if TYPE_CHECKING:
    from playwright.sync_api import FloatRect, Page

CHROMIUM = Path("/usr/bin/chromium")
WIDTH = 1280

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(240),
    pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"report pages test needs Debian's Chromium at {CHROMIUM}"),
]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="report pages test needs the playwright package: pip install -e '.[dev]'"
)

# Every request stays on this machine: the reports are self-contained files.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, history_archive: str) -> Iterator[dict[str, Rendered]]:
    """Every report rendered once against a fresh emulator, with a cache of its own (trends: weeks of history)."""
    from apitoolkit.emulator import EmulatorServer

    root = tmp_path_factory.mktemp("report-pages")
    with EmulatorServer(port=0, seed=1, size="small") as emulator:
        settings = {
            **emulator.environ(),
            "APITOOLKIT_CACHE": str(root / "cache"),
            "APITOOLKIT_PROGRESS": "0",
            "APITOOLKIT_ARCHIVE": history_archive,
        }
        with environment(settings):
            reports = run_reports(None, root / "out", {"interactive": False}, log=lambda line: None)
    yield {r.name: r for r in reports}


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        try:
            yield browser.new_page(viewport={"width": WIDTH, "height": 900})
        finally:
            browser.close()


def _open(page: Page, report: Rendered) -> None:
    page.goto(report.html.resolve().as_uri())
    page.wait_for_load_state("load")


def _screenshot(page: Page, name: str, tmp_path: Path) -> None:
    """Always into the test's folder; also into ``APITOOLKIT_SCREENSHOTS`` (``docs/images`` for the README)."""
    page.screenshot(path=str(tmp_path / f"report-{name}.png"), full_page=True)
    folder = os.environ.get("APITOOLKIT_SCREENSHOTS", "").strip()
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        top: FloatRect = {"x": 0, "y": 0, "width": WIDTH, "height": 1400}
        page.screenshot(path=str(Path(folder) / f"report-{name}.png"), full_page=True, clip=top)


@pytest.mark.parametrize("name", list(REPORTS))
def test_report_page__nothing_is_wider_than_the_window(
    page: Page, rendered: dict[str, Rendered], name: str, tmp_path: Path
) -> None:
    _open(page, rendered[name])
    _screenshot(page, name, tmp_path)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, f"{name} scrolls sideways"
    # Each figure, table and paragraph ends inside the window, and no figure is drawn smaller than it was made.
    overflowing: list[Any] = page.evaluate(
        """(width) => [...document.querySelectorAll('img, table, p, pre')]
            .map(e => [e.tagName, e.getBoundingClientRect().right, (e.innerText || e.alt || '').slice(0, 40)])
            .filter(([tag, right]) => right > width + 1)""",
        WIDTH,
    )
    assert overflowing == [], f"{name}: {overflowing}"
    assert page.locator("img").count() >= 1, f"{name} has no figure"


@pytest.mark.parametrize("name", list(REPORTS))
def test_report_page__first_lines_say_when_from_where_and_with_what(
    page: Page, rendered: dict[str, Rendered], name: str
) -> None:
    _open(page, rendered[name])
    text = page.locator("body").inner_text()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines[0] == REPORTS[name].title or lines[0].startswith(REPORTS[name].title), lines[:3]
    head = "\n".join(lines[:12])
    assert re.search(r"As of \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", head), head
    assert any(f"from the {where}" in head for where in ("API", "cache", "archive")), head  # each source, how fresh
    assert "Parameters:" in head and "interactive=False" in head, head


@pytest.mark.parametrize("name", list(REPORTS))
def test_report_page__tables_are_written_for_people(page: Page, rendered: dict[str, Rendered], name: str) -> None:
    _open(page, rendered[name])
    cells: list[str] = page.evaluate("[...document.querySelectorAll('td, th')].map(c => c.innerText.trim())")
    assert cells, f"{name} has no table"
    assert not [c for c in cells if re.search(r"\d{2}:\d{2}:\d{2}\+00:00|00:00:00$", c)], "raw timestamps"
    assert not [c for c in cells if re.fullmatch(r"-?\d+\.\d{3,}", c)], "unrounded numbers"
    assert "NaN" not in cells and "<NA>" not in cells and "None" not in cells
    assert "..." not in cells and "…" not in cells  # no truncated rows or columns

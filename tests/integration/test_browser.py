"""JupyterLab in headless Chromium at 1280 px: the explorer notebooks run, every control redraws, nothing is cut."""

from __future__ import annotations

import datetime
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request

    from apitoolkit.emulator import EmulatorServer

CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT = {"width": 1280, "height": 1000}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(180),
    pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"browser test needs Debian's Chromium at {CHROMIUM}"),
]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="browser test needs the playwright package: pip install -e '.[dev]'"
)

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = [ROOT / "notebooks" / f"{name}.ipynb" for name in ("expirations", "reputation", "task_activity")]
JUPYTER = Path(sys.executable).with_name("jupyter")
# Headless Debian Chromium without background traffic; the resolver rule keeps every request on loopback.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
# User settings: no news or update toasts, every cell kept in the page (no windowing).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
# Bounded waits (the three notebooks run at once in about 30 s); pytest-timeout stops anything that still hangs.
SERVER_START_SECONDS = 30
KERNEL_READY_SECONDS = 45
RUN_ALL_SECONDS = 90
REDRAW_SECONDS = 15
STEP_SECONDS = 15


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab server: its address, token and log."""

    url: str
    token: str
    log: Path

    def api(self, path: str) -> Any:
        request = urllib.request.Request(f"{self.url}{path}", headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.load(response)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(condition: Callable[[], Any], seconds: float, what: str, details: Callable[[], str] = str) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``seconds`` naming ``what``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"{what} within {seconds} s\n{details()}")


@pytest.fixture
def lab(emulator: EmulatorServer, cache_dir: Path, tmp_path: Path) -> Iterator[Lab]:
    """JupyterLab on loopback serving copies of the explorer notebooks, their kernels loading from the emulator."""
    root, home = tmp_path / "lab", tmp_path / "home"
    root.mkdir()
    for notebook in NOTEBOOKS:
        shutil.copy(notebook, root / notebook.name)
    for name, settings in LAB_SETTINGS.items():
        path = home / "lab-settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    env = {
        **os.environ,
        **emulator.environ(),
        "APITOOLKIT_CACHE": str(cache_dir),
        "APITOOLKIT_PROGRESS": "0",
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
    }
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        str(JUPYTER), "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.news_url=None",
        "--LabApp.extension_manager=readonly", "--LabApp.expose_app_in_browser=True",
        f"--LabApp.user_settings_dir={home / 'lab-settings'}", f"--LabApp.workspaces_dir={home / 'workspaces'}",
    ]  # fmt: skip
    log = tmp_path / "jupyterlab.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Lab(f"http://127.0.0.1:{port}", token, log)
    try:

        def answers() -> bool:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited with {process.returncode}\n{server.log_tail()}")
            try:
                return bool(server.api("/api/status"))
            except (OSError, ValueError):
                return False

        _wait_for(answers, SERVER_START_SECONDS, "JupyterLab did not answer /api/status", server.log_tail)
        yield server
    finally:
        process.terminate()  # the server shuts its kernel down
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: the server and its kernel
            process.wait(timeout=10)


@pytest.fixture
def chromium_page(lab: Lab, tmp_path: Path) -> Iterator[Page]:
    """A page of a fresh headless Chromium (Debian's), closed with the browser after the test."""
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport=VIEWPORT,
        )
        context.set_default_timeout(STEP_SECONDS * 1000)
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def _tracebacks(page: Page) -> list[str]:
    return [text for text in page.locator(".jp-OutputArea-output").all_inner_texts() if "Traceback" in text]


# Opens a notebook in the app (window.jupyterapp), waits for its kernel, starts Run All; returns the panel's id.
OPEN_AND_RUN = """async (path) => {
    const app = window.jupyterapp;
    const panel = await app.commands.execute("docmanager:open", {path});
    await panel.context.ready;
    await panel.sessionContext.ready;
    const deadline = Date.now() + KERNEL_READY_SECONDS * 1000;
    const ready = () => {
        const kernel = panel.sessionContext.session?.kernel;
        return kernel && kernel.connectionStatus === "connected" && kernel.status === "idle";
    };
    while (!ready() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!ready()) throw new Error(`the kernel of ${path} was not idle and connected`);
    app.shell.activateById(panel.id);
    app.commands.execute("notebook:run-all-cells");  // not awaited: the three notebooks run at once
    return panel.id;
}""".replace("KERNEL_READY_SECONDS", str(KERNEL_READY_SECONDS))

# What is cut or runs off the page in an explorer: containers that scroll sideways (up to its notebook panel),
# and widgets, labels, readouts and tables that lie outside the viewport or clip their own text.
OVERFLOW = """(root) => {
    const problems = [];
    const width = document.documentElement.clientWidth;
    const name = (el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} "${el.innerText?.slice(0, 40)}"`;
    for (let el = root; el && !el.classList.contains("jp-NotebookPanel"); el = el.parentElement) {
        if (el.scrollWidth > el.clientWidth + 1) {
            const right = el.getBoundingClientRect().left + el.clientWidth;
            const wide = [...el.querySelectorAll("*")].filter((c) => c.getBoundingClientRect().right > right + 1);
            const past = wide.slice(0, 3).map(name);
            problems.push(`${name(el)} scrolls: ${el.scrollWidth} > ${el.clientWidth}, past it: ${past}`);
        }
    }
    for (const el of root.querySelectorAll(".jupyter-widgets, label, .widget-readout, table, td, th, img")) {
        const box = el.getBoundingClientRect();
        if (box.width && (box.left < -1 || box.right > width + 1)) {
            problems.push(`${name(el)} outside: ${box.left}..${box.right} of ${width}`);
        }
        const text = el.matches("label, .widget-readout, .widget-label, td, th");
        if (text && el.scrollWidth > el.clientWidth + 1) {
            problems.push(`${name(el)} clipped: ${el.scrollWidth} > ${el.clientWidth}`);
        }
    }
    return problems;
}"""

# Top of a control's label and of its input/buttons: on one line, nothing wrapped below.
ONE_LINE = """(el) => {
    const label = el.querySelector("label").getBoundingClientRect();
    const input = el.querySelector("input, .widget-toggle-button, select").getBoundingClientRect();
    const buttons = [...el.querySelectorAll(".widget-toggle-button")].map((b) => b.getBoundingClientRect().top);
    return {label: label.top, input: input.top, height: el.getBoundingClientRect().height, buttons};
}"""


class Explorer:
    """One explorer in the page: its controls by label, its figures, its table, and checks that each redraws."""

    def __init__(self, page: Page, panel: str, title: str) -> None:
        self.page, self.title = page, title
        self.root = page.locator(f"#{panel} .apitoolkit-explorer").filter(has_text=title)
        self.images = self.root.locator("img.widget-image")
        self.table = self.root.locator(".widget-html").last
        self.readout = self.root.locator(".widget-html").nth(1)

    def wait(self) -> None:
        failed = self.page.locator(".jp-OutputArea-output", has_text="Traceback")
        self.images.first.or_(failed).first.wait_for(timeout=RUN_ALL_SECONDS * 1000)
        assert not _tracebacks(self.page), "\n\n".join(_tracebacks(self.page))
        self.images.last.wait_for()
        self.root.scroll_into_view_if_needed()

    def control(self, kind: str, label: str) -> Any:
        return self.root.locator(f".widget-{kind}").filter(has=self.page.locator("label", has_text=label)).first

    def state(self) -> dict[str, str]:
        shown = {f"figure {i}": self.images.nth(i).get_attribute("src") or "" for i in range(self.images.count())}
        return {**shown, "table": self.table.inner_html(), "readout": self.readout.inner_text()}

    def changes(self, what: str, act: Callable[[], None], views: set[str]) -> None:
        """Do ``act``; every view in ``views`` must change (each figure's src, the table, the readout)."""
        before = self.state()
        act()

        def changed() -> bool:
            now = self.state()
            return all(now[view] != before[view] for view in views)

        _wait_for(changed, REDRAW_SECONDS, f"{what} did not change {sorted(views)}", lambda: str(self.state())[:500])
        assert not _tracebacks(self.page), "\n\n".join(_tracebacks(self.page))
        assert "Cannot draw" not in self.root.inner_text(), f"{what}: {self.root.inner_text()[:300]}"

    def select(self, label: str, index: int, views: set[str]) -> None:
        select = self.control("dropdown", label).locator("select")
        value = select.locator("option").nth(index).get_attribute("value")
        self.changes(f"{label} (select)", lambda: select.select_option(value=value), views)

    def slide(self, label: str, key: str, views: set[str], *, handle: int = 0) -> None:
        knob = self.control("slider", label).locator(".noUi-handle").nth(handle)

        def press() -> None:
            knob.focus()
            knob.press(key)

        self.changes(f"{label} ({key})", press, views)

    def toggle(self, label: str, button: str, views: set[str]) -> None:
        choice = self.control("toggle-buttons", label).get_by_role("button", name=button, exact=True)
        self.changes(f"{label} ({button})", choice.click, views)

    def pick_date(self, label: str, day: str, views: set[str]) -> None:
        field = self.control("datepicker", label).locator("input")
        self.changes(f"{label} ({day})", lambda: field.fill(day), views)

    def check_layout(self, when: str) -> None:
        """Nothing overflows or is clipped at 1280 px."""
        self.root.scroll_into_view_if_needed()
        problems = self.root.evaluate(OVERFLOW)
        assert problems == [], f"{self.title} explorer {when}: overflows at 1280 px:\n" + "\n".join(problems)

    def screenshot(self, name: str, folders: list[Path]) -> None:
        """The whole explorer as a PNG in each folder (the window made tall enough for it, then put back)."""
        size = self.page.viewport_size or VIEWPORT
        height = int((self.root.bounding_box() or {"height": 0})["height"])
        self.page.set_viewport_size({"width": size["width"], "height": max(size["height"], height + 200)})
        try:
            self.root.scroll_into_view_if_needed()
            for folder in folders:
                folder.mkdir(parents=True, exist_ok=True)
                self.root.screenshot(path=str(folder / f"explorer-{name}.png"), animations="disabled")
        finally:
            self.page.set_viewport_size({"width": size["width"], "height": size["height"]})


FIGURES_AND_TABLE = {"figure 0", "figure 1", "table"}


def drive_expirations(explorer: Explorer) -> None:
    explorer.slide("Days ahead", "Home", FIGURES_AND_TABLE)  # 90 -> 7 days
    sync_api.expect(explorer.control("slider", "Days ahead").locator(".widget-readout")).to_have_text("7")
    explorer.slide("Days ahead", "PageUp", {"figure 0", "table"})  # 7 -> 12 days
    explorer.select("Organization", 1, FIGURES_AND_TABLE)
    explorer.select("Type", 1, FIGURES_AND_TABLE)
    text = explorer.table.inner_text()
    assert "Lapsed in the last 30 days" in text and "Due in the next 12 days" in text
    assert "..." not in text and "…" not in text


def drive_reputation(explorer: Explorer) -> None:
    explorer.slide("Top", "PageDown", FIGURES_AND_TABLE | {"readout"})  # 10 -> 5
    explorer.select("Role", 1, FIGURES_AND_TABLE | {"readout"})
    explorer.slide("Weeks", "ArrowRight", {"figure 1", "readout"}, handle=0)
    explorer.slide("Weeks", "ArrowLeft", {"figure 1", "readout"}, handle=1)
    explorer.toggle("Points", "by resource type", {"figure 1"})
    readout = explorer.readout.inner_text()
    assert len(re.findall(r"\d{2} [A-Z][a-z]{2} \d{4}", readout)) == 2, readout  # both dates in full


def drive_tasks(explorer: Explorer) -> None:
    explorer.toggle("Per", "day", {"figure 0", "figure 1"})
    today = datetime.date.today()  # the demo data lies around today; the default range is the last 26 weeks
    explorer.pick_date("From", f"{today - datetime.timedelta(days=400)}", {"figure 0", "figure 1", "table"})
    explorer.pick_date("To", f"{today - datetime.timedelta(days=40)}", {"figure 0", "figure 1", "table"})
    explorer.select("Project", 1, FIGURES_AND_TABLE)
    explorer.select("Project", 0, FIGURES_AND_TABLE)
    explorer.select("Assignee", 1, FIGURES_AND_TABLE)
    options = explorer.control("dropdown", "Assignee").locator("option").all_inner_texts()
    assert not any(o.startswith("#") for o in options), f"assignees shown by id: {options}"
    for label, kind in (("To", "datepicker"), ("From", "datepicker"), ("Per", "toggle-buttons")):
        place = explorer.control(kind, label).evaluate(ONE_LINE)
        assert abs(place["label"] - place["input"]) < 8 and place["height"] < 45, f"{label} wraps: {place}"
        assert len(set(place["buttons"])) <= 1, f"{label}'s buttons wrap: {place}"


EXPLORERS = {  # notebook -> (screenshot name, explorer title, driver)
    "expirations.ipynb": ("expirations", "Expirations", drive_expirations),
    "reputation.ipynb": ("reputation", "Documentation reputation", drive_reputation),
    "task_activity.ipynb": ("tasks", "Task activity", drive_tasks),
}


def test_lab__every_explorer_control_redraws_and_nothing_is_cut_at_1280px(
    lab: Lab, chromium_page: Page, tmp_path: Path
) -> None:
    started = time.monotonic()
    page = chromium_page
    folders = [
        tmp_path,
        *([Path(os.environ["APITOOLKIT_SCREENSHOTS"])] if os.environ.get("APITOOLKIT_SCREENSHOTS") else []),
    ]
    elsewhere: list[str] = []

    def note_remote(request: Request) -> None:
        if urlsplit(request.url).scheme in ("http", "https") and not request.url.startswith(f"{lab.url}/"):
            elsewhere.append(request.url)

    page.context.on("request", note_remote)
    page.goto(f"{lab.url}/lab?token={lab.token}")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started", timeout=SERVER_START_SECONDS * 1000)
    page.evaluate("async () => { await window.jupyterapp.started; await window.jupyterapp.restored; }")
    panels = {notebook: page.evaluate(OPEN_AND_RUN, notebook) for notebook in EXPLORERS}
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")  # the notebook as wide as the window allows

    for notebook, (name, title, drive) in EXPLORERS.items():
        page.evaluate("(id) => window.jupyterapp.shell.activateById(id)", panels[notebook])
        explorer = Explorer(page, panels[notebook], title)
        explorer.wait()
        explorer.check_layout("as shown")
        explorer.screenshot(name, folders)  # before driving: the explorer as a reader first sees it
        drive(explorer)
        explorer.check_layout(f"after every control of {notebook} was changed")

    assert not _tracebacks(page), "\n\n".join(_tracebacks(page))
    assert elsewhere == [], "the page reached beyond the JupyterLab server"
    print(f"browser test: {time.monotonic() - started:.0f} s in the page")

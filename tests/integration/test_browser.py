"""JupyterLab in headless Chromium: a notebook runs all its cells, its explorer renders, a control redraws the plot."""

from __future__ import annotations

import json
import os
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

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(150),
    pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"browser test needs Debian's Chromium at {CHROMIUM}"),
]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="browser test needs the playwright package: pip install -e '.[dev]'"
)

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "expirations.ipynb"
JUPYTER = Path(sys.executable).with_name("jupyter")
# shared/RECIPES.md; the resolver rule keeps every request on the loopback interface.
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
# Bounded waits (a run takes about 20 s); pytest-timeout stops anything that still hangs.
SERVER_START_SECONDS = 30
KERNEL_READY_SECONDS = 45
RUN_ALL_SECONDS = 60
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
def lab(emulator: Any, cache_dir: Path, tmp_path: Path) -> Iterator[Lab]:
    """JupyterLab on loopback serving a copy of the expirations notebook, its kernel loading from the emulator."""
    root, home = tmp_path / "lab", tmp_path / "home"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
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
        "--LabApp.extension_manager=readonly",
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
            viewport={"width": 1280, "height": 1000},
        )
        context.set_default_timeout(STEP_SECONDS * 1000)
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def _kernel_ready(lab: Lab) -> bool:
    """One kernel, idle, with the page's websocket connected: only then does Run All reach it."""
    try:
        kernels = lab.api("/api/kernels")
    except urllib.error.HTTPError as error:  # jupyter_server answers 500 while a kernel is half started
        if error.code < 500:
            raise
        return False
    return len(kernels) == 1 and kernels[0]["execution_state"] == "idle" and kernels[0]["connections"] > 0


def _tracebacks(page: Page) -> list[str]:
    return [text for text in page.locator(".jp-OutputArea-output").all_inner_texts() if "Traceback" in text]


def test_lab__expirations_explorer_renders_and_the_slider_redraws_the_plot(lab: Lab, chromium_page: Page) -> None:
    page = chromium_page
    elsewhere: list[str] = []

    def note_remote(request: Request) -> None:
        if urlsplit(request.url).scheme in ("http", "https") and not request.url.startswith(f"{lab.url}/"):
            elsewhere.append(request.url)

    page.context.on("request", note_remote)
    page.goto(f"{lab.url}/lab/tree/{NOTEBOOK.name}?token={lab.token}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    _wait_for(lambda: _kernel_ready(lab), KERNEL_READY_SECONDS, "the kernel was not idle and connected", lab.log_tail)

    page.locator("#jp-menu-panel").get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

    explorer = page.locator(".jp-OutputArea-output .widget-vbox").filter(has_text="Days ahead")
    slider = explorer.locator(".widget-slider").filter(has=page.locator("label", has_text="Days ahead"))
    plot = explorer.locator("img.widget-image").first
    failed_cell = page.locator(".jp-OutputArea-output", has_text="Traceback")
    slider.or_(failed_cell).first.wait_for(timeout=RUN_ALL_SECONDS * 1000)
    assert not _tracebacks(page), "\n\n".join(_tracebacks(page))
    plot.wait_for()
    before = plot.get_attribute("src")
    assert before, "the plot has no image"

    handle = slider.locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    handle.focus()
    handle.press("PageDown")  # five one-day steps at once: 90 -> 85, a single redraw
    sync_api.expect(slider.locator(".widget-readout")).to_have_text("85")
    sync_api.expect(plot).not_to_have_attribute("src", before, timeout=REDRAW_SECONDS * 1000)
    assert not _tracebacks(page), "\n\n".join(_tracebacks(page))
    assert elsewhere == [], "the page reached beyond the JupyterLab server"

"""A real browser against the real app: log in, upload, wait, read the transcript."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LIBRISPEECH, ROOT, WorkerProcess, free_port, run_cli, tingshuo_env

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
OUTPUT = ROOT / "test-output"
PASSWORD = "correct horse battery"


@pytest.fixture
def running_app(tmp_path: Path, whisper_dir: Path) -> Iterator[tuple[str, dict[str, str]]]:
    env = tingshuo_env(
        TINGSHUO_DATA_DIR=str(tmp_path / "data"), TINGSHUO_WHISPER_MODEL=str(whisper_dir)
    )
    for name in ("alice", "bob"):
        created = run_cli(
            "users", "create", name, "--password-stdin", env=env, stdin=f"{PASSWORD}\n".encode()
        )
        assert created.returncode == 0, created.stderr
    worker = WorkerProcess(env, tmp_path / "worker.log").start()
    port = free_port()
    from worker.cli.processes import dashboard_argv

    with (tmp_path / "dashboard.log").open("wb") as log:
        dashboard = subprocess.Popen(
            dashboard_argv(_settings(env), port),
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    yield url, env
    dashboard.terminate()
    dashboard.wait(20)
    worker.stop()


def _settings(env: dict[str, str]):  # type: ignore[no-untyped-def]
    from models.settings import Settings

    return Settings(data_dir=Path(env["TINGSHUO_DATA_DIR"]))


def test_log_in_upload_and_read_the_transcript(running_app: tuple[str, dict[str, str]]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, _env = running_app
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(30_000)

        def log_in(username: str, path: str = "") -> None:
            page.goto(url + path)
            page.get_by_role("textbox", name="Username").fill(username)
            page.get_by_role("textbox", name="Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()

        log_in("alice")
        expect(page.get_by_role("heading", name="Library")).to_be_visible()
        # Sessions live in the browser tab: move with the sidebar, not by reloading.
        page.get_by_role("link", name="Upload").click()
        page.locator("input[type=file]").set_input_files(str(LIBRISPEECH))
        expect(page.get_by_role("button", name=f"Remove {LIBRISPEECH.name}")).to_be_visible()
        page.get_by_role("button", name="Queue for processing").click()
        expect(page.get_by_text(f"{LIBRISPEECH.name}: queued")).to_be_visible()

        page.get_by_role("link", name="Recording").click()
        # The page follows the processing live and shows the transcript when it is done.
        # The transcript's own line, drawn as text (the correction box below it holds the same
        # words, and the summary, chosen from the transcript, quotes it too).
        transcript_line = page.locator("span").get_by_text(
            "It was the first great sorrow of his life.", exact=True
        )
        expect(transcript_line).to_be_visible(timeout=180_000)
        page.screenshot(path=str(OUTPUT / "recording-page.png"), full_page=True)

        # Another user cannot open it, even knowing its URL.
        page.get_by_role("button", name="Log out").click()
        log_in("bob", "/recording?id=1")
        expect(page.get_by_text("Recording not found.")).to_be_visible()
        assert page.get_by_text("first great sorrow").count() == 0
        page.screenshot(path=str(OUTPUT / "other-user.png"), full_page=True)
        browser.close()


MEETING = ROOT / "tests" / "data" / "synthetic_meeting.wav"


def test_a_login_survives_reloads_tabs_and_links_and_ends_everywhere(
    running_app: tuple[str, dict[str, str]],
) -> None:
    import re

    from playwright.sync_api import expect, sync_playwright

    url, _env = running_app
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
        )
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(30_000)
        page = context.new_page()
        log_in(page, url, "alice")

        # The login is a signed cookie the browser keeps (not HttpOnly: see the README).
        deadline = time.monotonic() + 15
        cookie = None
        while cookie is None and time.monotonic() < deadline:
            cookie = next((c for c in context.cookies() if c["name"] == "tingshuo_session"), None)
            time.sleep(0.2)
        assert cookie is not None and cookie["sameSite"] == "Strict"

        page.get_by_role("link", name="Upload").click()
        page.locator("input[type=file]").set_input_files(str(MEETING))
        page.get_by_role("button", name="Queue for processing").click()
        expect(page.get_by_text(f"{MEETING.name}: queued")).to_be_visible()
        # An in-app link, in this tab.
        page.get_by_role("link", name="See progress in the library").click()
        expect(page.get_by_role("heading", name="Library")).to_be_visible()
        assert len(context.pages) == 1

        page.get_by_role("link", name="Recording").click()
        expect(page.get_by_text(re.compile("conference room", re.I)).first).to_be_visible(
            timeout=240_000
        )
        page.reload()  # still logged in after a reload
        expect(page.get_by_text(re.compile("conference room", re.I)).first).to_be_visible()
        assert page.get_by_role("textbox", name="Username").count() == 0

        # A search hit opens the recording, in this tab, at the moment it was said.
        page.get_by_role("link", name="Search").click()
        page.get_by_role("textbox", name="Words to find").fill("conference")
        page.keyboard.press("Enter")
        hit = page.get_by_role("link", name=re.compile(r"synthetic_meeting\.wav at \d+:\d\d"))
        label = hit.first.inner_text()
        minutes, seconds = (int(x) for x in re.findall(r"at (\d+):(\d\d)", label)[0])
        hit.first.click()
        expect(page.get_by_text(re.compile("conference room", re.I)).first).to_be_visible()
        assert len(context.pages) == 1
        page.wait_for_function(
            f"() => {{ const a = document.querySelector('audio');"
            f" return a && a.currentTime >= {minutes * 60 + seconds - 0.5}; }}",
            timeout=30_000,
        )
        # The line being played is highlighted; the speed control sets the player's rate.
        page.wait_for_function(
            "() => [...document.querySelectorAll('[class*=\"st-key-line-\"]')]"
            ".some(e => e.style.background !== '')",
            timeout=20_000,
        )
        page.screenshot(path=str(OUTPUT / "search-hit-moment.png"), full_page=True)
        page.get_by_text("1.5×", exact=True).click()
        page.wait_for_function(
            "() => document.querySelector('audio').playbackRate === 1.5", timeout=20_000
        )

        # A second tab is logged in by the same cookie; logging out in one ends the other.
        other = context.new_page()
        other.goto(url)
        expect(other.get_by_role("heading", name="Library")).to_be_visible()
        elsewhere = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        elsewhere.set_default_timeout(30_000)
        log_in(elsewhere, url, "alice")
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("textbox", name="Username")).to_be_visible()
        other.get_by_role("link", name="Search").click()
        expect(other.get_by_role("textbox", name="Username")).to_be_visible()
        other.reload()
        expect(other.get_by_role("textbox", name="Username")).to_be_visible()
        # Another browser's login is its own; "Log out everywhere" ends it too.
        elsewhere.get_by_role("link", name="Search").click()
        expect(elsewhere.get_by_role("heading", name="Search")).to_be_visible()
        log_in(page, url, "alice")
        page.get_by_role("link", name="Account").click()
        page.get_by_role("button", name="Log out everywhere").click()
        expect(page.get_by_role("textbox", name="Username")).to_be_visible()
        elsewhere.get_by_role("link", name="Library").click()
        expect(elsewhere.get_by_role("textbox", name="Username")).to_be_visible()
        browser.close()


def log_in(page, url: str, username: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(url)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Library")).to_be_visible()

"""The status page in a real browser: Debian's chromium, headless, driven by Selenium.

The daemon runs as a process; every button is clicked as the owner would, then the state and
the Maildir are checked. A screenshot test fails on an empty or unstyled page; with
SYNCD_SCREENSHOT=path it also saves the picture the README shows.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from syncd.demo import OWNER, _ics
from syncd.model import make_ref
from tests import hostile
from tests.servers import free_port
from tests.system.asking import SYNCD, Running, drafts_for, just_ended_ref, seed_asking, wait_until

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER), reason="needs Debian's chromium and chromium-driver: "
                                      "apt-get install chromium chromium-driver")
DISMISS_UID = "ask-dismiss-me"


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=500,1700", "--force-device-scale-factor=1", "--hide-scrollbars"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture
def site(tmp_path):
    """A running daemon with a just-ended, an earlier, an upcoming and a tomorrow interview."""
    config = seed_asking(tmp_path / "demo", f'[web]\nlisten = "127.0.0.1:{free_port()}"\n')
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    (config.parent / "calendars" / "personal" / "dismiss.ics").write_text(_ics(
        DISMISS_UID, "Interview – Support Engineer (Hooli)", now - timedelta(minutes=100), 30,
        organizer="pat@hooli.example", attendees=(("Pat Lee", "pat@hooli.example"), ("Alex Doe", OWNER)),
        description="Your interview for the Support Engineer role at Hooli."))
    for case in hostile.files(now):
        if case.name == "markup-everywhere.ics":
            (config.parent / "calendars" / "personal" / case.name).write_text(case.text)
    daemon = Running(config)
    daemon.wait_log("Asked the owner how")
    yield config, daemon
    daemon.close()


def status(config: Path) -> dict:
    out = subprocess.run([SYNCD, "--config", str(config), "status", "--json"], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def ref_of(data: dict, words: str) -> str:
    return next(i["ref"] for i in data["interviews"] if words in i["summary"])


def click(driver, ref: str, answer: str, reason: str = "") -> str:
    """Press the button ``answer`` on the card of ``ref``; returns the confirmation shown."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    card = driver.find_element(By.ID, f"iv-{ref}")
    button = card.find_element(By.CSS_SELECTOR, f"button[value='{answer}']")
    if reason:
        button.find_element(By.XPATH, "..").find_element(By.NAME, "reason").send_keys(reason)
    driver.execute_script("window.syncdOldPage = true")
    button.click()
    # A new document has no such variable: wait for the answer's page to replace this one.
    fresh = "return window.syncdOldPage === undefined && document.readyState === 'complete'"
    WebDriverWait(driver, 30, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script(fresh))
    return WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.ID, "said"))).text


def test_every_button_acts_once_and_shows_it(site, browser):
    config, daemon = site
    data = status(config)
    browser.get(data["page"])
    assert "Upcoming interviews" in browser.page_source
    upcoming, globex = ref_of(data, "QA Lead"), ref_of(data, "Product Analyst")
    acme, hooli = ref_of(data, "Acme Robotics"), make_ref(DISMISS_UID, None)

    assert "recorded" in click(browser, just_ended_ref(), "attended")
    wait_until(lambda: [k for _, k in drafts_for(config, just_ended_ref())] == ["thank-you"], "thank-you",
               proc=daemon.proc, log=daemon.log_path)
    assert "recorded" in click(browser, globex, "missed", "My train was cancelled.")
    wait_until(lambda: status(config)["learning"], "learning after the miss", proc=daemon.proc,
               log=daemon.log_path)
    browser.get(data["page"])
    assert "strengthened after the miss" in browser.find_element("id", "learning").text
    assert "recorded" in click(browser, upcoming, "cannot-attend", "I am ill.")
    wait_until(lambda: [k for _, k in drafts_for(config, upcoming)] == ["reschedule"], "reschedule",
               proc=daemon.proc, log=daemon.log_path)
    assert "recorded" in click(browser, hooli, "dismissed")
    assert "Noted" in click(browser, acme, "not-interview")

    daemon.wait_log("Answer from web", count=4)
    after = status(config)
    acks = {i["ref"]: i["ack"] for i in after["interviews"]}
    assert acks[just_ended_ref()] == "attended" and acks[globex] == "missed"
    assert acks[upcoming] == "cannot-attend" and acks[hooli] == "dismissed"
    assert acme not in acks, "marked not an interview: no longer listed"
    assert drafts_for(config, hooli) == [] and [k for _, k in drafts_for(config, globex)] == ["apology"]
    assert after["learning"] is not None
    assert daemon.stop() == 0


def test_the_page_renders_fully(site, browser, tmp_path):
    from selenium.webdriver.common.by import By

    config, daemon = site
    browser.get(status(config)["page"])
    assert browser.title == "syncd", "a hostile invitation's script ran"
    assert "<script>document.title" in browser.find_element(By.TAG_NAME, "body").text, "shown as text"
    cards = browser.find_elements(By.CSS_SELECTOR, "section.card")
    assert len(cards) >= 4 and all(c.size["height"] > 40 for c in cards)
    days = browser.find_elements(By.CSS_SELECTOR, ".week .day")
    assert len(days) == 7
    body = browser.find_element(By.TAG_NAME, "body")
    assert body.value_of_css_property("background-color") == "rgba(244, 246, 249, 1)", "the style sheet applies"
    fits = "return document.documentElement.scrollWidth <= window.innerWidth"
    assert browser.execute_script(fits), "no sideways scroll on a phone-sized window"
    picture = Path(os.environ.get("SYNCD_SCREENSHOT") or tmp_path / "page.png")
    assert browser.save_screenshot(str(picture))
    data = picture.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, "an empty page compresses to almost nothing"
    assert daemon.stop() == 0


def test_one_upcoming_and_one_past_interview_as_the_readme_shows_them(tmp_path, browser):
    """``SYNCD_SCREENSHOT=docs/status-page.png`` refreshes the README's picture."""
    from selenium.webdriver.common.by import By

    config = seed_asking(tmp_path / "demo", f'[web]\nlisten = "127.0.0.1:{free_port()}"\n')
    calendars = config.parent / "calendars" / "personal"
    for name in ("upcoming.ics", "globex-video.ics", "interviewer.ics"):
        (calendars / name).unlink()
    daemon = Running(config)
    try:
        daemon.wait_log("Asked the owner how")
        browser.get(status(config)["page"])
        titles = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "section.card .title")]
        assert len(titles) == 2 and "Acme" in titles[0] and "Initech" in titles[1]
        picture = Path(os.environ.get("SYNCD_SCREENSHOT") or tmp_path / "page.png")
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(500, height + 20)
        assert browser.save_screenshot(str(picture)) and len(picture.read_bytes()) > 20_000
        assert daemon.stop() == 0
    finally:
        daemon.close()

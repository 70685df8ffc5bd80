"""The desk in a real browser: Debian's chromium and chromium-driver, headless, driving a desk
served by cheroot on 127.0.0.1 (a free port) in a thread. One browser for the module.

Twenty forms typed with the keyboard alone change the client's graph (and the CSRF header that
htmx sends is enough to save one); a scanned mark is reviewed by a click on its line; the day's
pack is downloaded. With PAPERFIT_DESK_SCREENSHOTS=1 the pages are saved as docs/desk-*.png
(the README shows them); otherwise into the test's temporary folder.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from paperfit.desk.server import Running, make_server
from tests.desk_support import TOKEN, make_desk, scanned_form, with_model

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1000",
)
DOCS = Path(__file__).parents[1] / "docs"
pytestmark = pytest.mark.browser


def _missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists() and not shutil.which(path.name):
            return f"{path} is not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The desk over a small practice, and a signed-in headless chromium."""
    missing = _missing()
    if missing:
        print(f"desk browser tests skipped: {missing}")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    folder = tmp_path_factory.mktemp("desk")
    downloads = folder / "downloads"
    downloads.mkdir()
    app, store = make_desk(folder, settings=with_model(folder))
    running = Running(make_server(app, "127.0.0.1", 0))
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(0)
    base = f"http://127.0.0.1:{running.port}"
    driver.get(f"{base}/?token={TOKEN}")
    shots = DOCS if os.environ.get("PAPERFIT_DESK_SCREENSHOTS") else folder
    try:
        yield {
            "driver": driver,
            "base": base,
            "store": store,
            "downloads": downloads,
            "shots": shots,
            "folder": folder,
        }
    finally:
        driver.quit()
        running.stop()
        store.close()


def wait_for(condition, timeout: float = 10.0) -> Any:  # type: ignore[no-untyped-def]
    """CONDITION's first true value, tried every 50 ms up to TIMEOUT seconds."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    end = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except (StaleElementReferenceException, NoSuchElementException):
            value = None  # the page was being swapped: look again
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError("timed out waiting in the browser")
        time.sleep(0.05)


def type_form(driver: Any, session: int, items: tuple[str, ...]) -> None:
    """One form with the keyboard only: each box, then Enter to the next; Enter saves."""
    from selenium.webdriver.common.keys import Keys

    wait_for(lambda: driver.switch_to.active_element.get_attribute("name") == "client")
    driver.switch_to.active_element.send_keys("C-2", Keys.ENTER)
    driver.switch_to.active_element.send_keys(Keys.ENTER)  # the form stays ORS
    session_box = driver.switch_to.active_element
    assert session_box.get_attribute("name") == "session"
    session_box.send_keys(Keys.CONTROL, "a")
    session_box.send_keys(str(session), Keys.ENTER)
    driver.switch_to.active_element.send_keys(Keys.ENTER)  # today's date
    for value in items:
        driver.switch_to.active_element.send_keys(value, Keys.ENTER)


def test_twenty_forms_typed_with_the_keyboard_change_the_graph(browser: dict[str, Any]) -> None:
    driver, base, store = browser["driver"], browser["base"], browser["store"]
    driver.get(f"{base}/clients/C-2")
    before = driver.find_element("css selector", "#graph svg").get_attribute("outerHTML")
    assert driver.find_element("id", "graph").get_attribute("data-sessions") == "2"
    driver.get(f"{base}/entry")
    wait_for(lambda: driver.switch_to.active_element.get_attribute("name") == "client")
    type_form(driver, 3, ("6.0", "12", "6.0", "7.0"))  # a value off the line: not saved
    wait_for(lambda: "Not saved" in driver.find_element("id", "entry").text)
    assert "Item 2" in driver.find_element("id", "entry").text
    driver.get(f"{base}/entry")
    wait_for(lambda: driver.switch_to.active_element.get_attribute("name") == "client")
    # Once, the hidden token is taken out: htmx's X-CSRFToken header alone must carry it.
    driver.execute_script("document.querySelector('#entry [name=csrf_token]').remove()")
    started = time.monotonic()
    for number in range(20):
        session = 3 + number
        value = f"{min(9.5, 6.0 + number * 0.15):.1f}"
        type_form(driver, session, (value, value, value, "7.0"))
        try:
            wait_for(lambda s=session: f"session {s}," in driver.find_element("id", "entry").text)
        except AssertionError:
            print(number, driver.find_element("id", "entry").text)
            raise
        if number == 0:
            driver.save_screenshot(str(browser["shots"] / "desk-entry.png"))
    typing = time.monotonic() - started
    sessions = {f.session for f in store.reading(["C-2"]).forms}
    assert sessions == set(range(1, 23))
    driver.get(f"{base}/clients/C-2")
    after = driver.find_element("css selector", "#graph svg").get_attribute("outerHTML")
    assert driver.find_element("id", "graph").get_attribute("data-sessions") == "22"
    assert after != before
    driver.save_screenshot(str(browser["shots"] / "desk-client.png"))
    print(f"20 forms typed in the browser in {typing:.1f} s")


def test_a_scanned_mark_is_reviewed_by_clicking_on_its_line(browser: dict[str, Any]) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    driver, base, store = browser["driver"], browser["base"], browser["store"]
    scan = browser["folder"] / "tuesday.pdf"
    scan.write_bytes(scanned_form("C-1", 5, [(2.0,), (3.0, 8.0), (2.5,), (2.0,)]))
    driver.get(f"{base}/scans")
    driver.find_element("id", "scan-files").send_keys(str(scan))
    driver.find_element("id", "scan-upload").click()
    wait_for(lambda: "tuesday.pdf: 1 pages" in driver.page_source, timeout=60)
    driver.find_element("css selector", "#queue a.button").click()
    line = wait_for(lambda: driver.find_elements("id", "line-2"))[0]
    driver.save_screenshot(str(browser["shots"] / "desk-review.png"))
    width = line.size["width"]
    # The line's ends in the picture: 14 mm of margin each side of a 100 mm line.
    left = width * 14 / 128
    ActionChains(driver).move_to_element_with_offset(
        line, round(left + (width - 2 * left) * 0.42 - width / 2), 0
    ).click().perform()
    wait_for(lambda: "decided by desk" in driver.page_source)
    item2 = next(f for f in store.reading(["C-1"]).forms if f.session == 5).items[1]
    assert item2 == pytest.approx(4.2, abs=0.3)
    driver.find_element("id", "confirm").click()
    wait_for(lambda: driver.current_url.endswith("/scans"))
    assert "Nothing to look at" in driver.page_source


def test_the_days_pack_downloads(browser: dict[str, Any]) -> None:
    driver, base = browser["driver"], browser["base"]
    driver.get(f"{base}/")
    driver.save_screenshot(str(browser["shots"] / "desk-today.png"))
    driver.find_element("id", "day-pack").click()
    pdf = wait_for(lambda: [p for p in browser["downloads"].glob("*.pdf")], timeout=60)[0]
    wait_for(lambda: pdf.stat().st_size > 0 and not list(browser["downloads"].glob("*.crdownload")))
    assert pdf.name == "forms-2026-03-16.pdf"
    assert len(PdfReader(pdf).pages) == 2

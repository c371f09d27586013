"""Issue 20: the web view in a real browser (Debian's headless chromium through its chromedriver, driven
by Selenium) over a store seeded by the real ingest path. Screenshots of each page are kept under the
test's tmp dir (printed; MONITOR_WEB_SCREENSHOTS=<dir> keeps them there instead)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from monitor.store.views import stories
from monitor.web.app import create_app
from monitor.web.auth import Access
from monitor.web.serve import Background, bind
from tests.conftest import REPO, free_port, wait_for
from tests.web_seed import HOSTILE_TITLE, Seeded, seed, store_scope

CHROMIUM, CHROMEDRIVER = shutil.which("chromium") or "/usr/bin/chromium", shutil.which("chromedriver") or "/usr/bin/chromedriver"
if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
    pytest.skip("chromium and chromedriver are not installed (Debian: apt-get install chromium chromium-driver)", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402


@pytest.fixture(scope=store_scope)
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Seeded, str]]:
    data = seed(tmp_path_factory.mktemp("web"))
    served = Background(create_app(data.pipeline.db, lambda: data.pipeline.ingest.matcher.watchlist, Access()), bind(("127.0.0.1", 0), str))
    yield data, f"http://127.0.0.1:{served.port}"
    served.close()
    data.pipeline.db.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                "--renderer-process-limit=1", "--js-flags=--max-old-space-size=128", "--disable-extensions", "--no-first-run"):
        options.add_argument(arg)  # memory: one renderer, a 128 MB script heap, no /dev/shm
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = Path(os.environ.get("MONITOR_WEB_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    where.mkdir(parents=True, exist_ok=True)
    print(f"screenshots in {where}")
    return where


def visit(driver: object, url: str, shots: Path | None = None, name: str = "") -> None:
    """Load the page and assert the browser logged no error (a failed resource, a script error, a CSP refusal)."""
    driver.get(url)  # type: ignore[attr-defined]
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]  # type: ignore[attr-defined]
    assert not errors, errors
    if shots is not None:
        driver.save_screenshot(str(shots / f"{name}.png"))  # type: ignore[attr-defined]


def test_every_page_loads_without_a_console_error(seeded: tuple[Seeded, str], browser: object, shots: Path) -> None:
    data, site = seeded

    story = next(s.id for s in stories(data.pipeline.db) if s.articles > 1)
    pages = {"alerts": "/alerts", "alert": f"/alerts/{data.hostile_alert}", "stories": "/stories", "story": f"/stories/{story}",
             "actors": "/actors", "actor": "/actor?name=" + quote("Kataeb Hezbollah"), "sources": "/sources"}
    for name, path in pages.items():
        visit(browser, site + path, shots, name)
        assert browser.find_element(By.TAG_NAME, "h1").text  # type: ignore[attr-defined]
    visit(browser, site + f"/stories/{story}")
    rows = browser.find_elements(By.CSS_SELECTOR, "#copies tbody tr")  # type: ignore[attr-defined]
    assert len(rows) == 2
    assert "new: " in rows[1].text and "Popular Mobilization Forces" in rows[1].text  # what the follow-up added
    visit(browser, site + "/sources")
    assert "wire" in browser.find_element(By.ID, "sources").text  # type: ignore[attr-defined]


def test_filters_change_the_list(seeded: tuple[Seeded, str], browser: object) -> None:
    data, site = seeded
    visit(browser, site + "/alerts")
    everything = len(browser.find_elements(By.CSS_SELECTOR, "#alerts tr.alert"))  # type: ignore[attr-defined]
    Select(browser.find_element(By.NAME, "actor")).select_by_visible_text("Kataeb Hezbollah")  # type: ignore[attr-defined]
    browser.find_element(By.ID, "apply").click()  # type: ignore[attr-defined]
    wait_for(lambda: "actor=Kataeb" in browser.current_url)  # type: ignore[attr-defined]
    rows = browser.find_elements(By.CSS_SELECTOR, "#alerts tr.alert")  # type: ignore[attr-defined]
    assert 0 < len(rows) < everything and all("Kataeb Hezbollah" in r.text for r in rows)
    Select(browser.find_element(By.NAME, "state")).select_by_visible_text("sent")  # type: ignore[attr-defined]
    Select(browser.find_element(By.NAME, "actor")).select_by_visible_text("any")  # type: ignore[attr-defined]
    browser.find_element(By.ID, "apply").click()  # type: ignore[attr-defined]
    wait_for(lambda: "state=sent" in browser.current_url)  # type: ignore[attr-defined]
    assert len(browser.find_elements(By.CSS_SELECTOR, "#alerts tr.alert")) == everything  # type: ignore[attr-defined]  # the console took every alert
    visit(browser, site + "/alerts?state=failed")
    assert not browser.find_elements(By.CSS_SELECTOR, "#alerts tr.alert")  # type: ignore[attr-defined]  # the hook's wait for a retry
    assert "match these filters" in browser.find_element(By.ID, "alerts").text  # type: ignore[attr-defined]


def test_the_actor_chart_plots_the_seeded_history(seeded: tuple[Seeded, str], browser: object) -> None:
    data, site = seeded
    visit(browser, site + "/actor?name=" + quote("Kataeb Hezbollah"))
    series = browser.find_element(By.CSS_SELECTOR, '#chart g.series[data-event="rocket attack"]')  # type: ignore[attr-defined]
    points = {(p.get_attribute("data-day"), int(p.get_attribute("data-count"))) for p in series.find_elements(By.CSS_SELECTOR, "circle.point")}
    assert points == {(day.isoformat(), n) for day, n in data.history.items()}
    heights = {p.get_attribute("data-count"): float(p.get_attribute("cy")) for p in series.find_elements(By.CSS_SELECTOR, "circle.point")}
    assert heights["2"] < heights["1"]  # two stories a day plotted higher than one
    assert "fired rockets" in browser.find_element(By.ID, "sentences").text  # type: ignore[attr-defined]
    marked = {m.text for m in browser.find_elements(By.CSS_SELECTOR, "#sentences mark.actor")}  # type: ignore[attr-defined]
    assert marked == {"Kataeb Hezbollah"}  # the mention itself, where the matcher found it


def test_a_hostile_title_renders_as_text(seeded: tuple[Seeded, str], browser: object) -> None:
    data, site = seeded
    for path in ("/alerts", f"/alerts/{data.hostile_alert}"):
        visit(browser, site + path)
        assert browser.execute_script("return window.__pwned === undefined")  # type: ignore[attr-defined]
        shown = browser.find_element(By.TAG_NAME, "main").text  # type: ignore[attr-defined]
        assert HOSTILE_TITLE in shown  # markup, <script> and template syntax as the feed wrote them
        assert not browser.find_elements(By.CSS_SELECTOR, "main b, main script")  # type: ignore[attr-defined]


def started_web(config: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    """`monitor web` on 0.0.0.0 and a free port, once it says it serves; another port if one was taken meanwhile
    (free_port() only found it free: a test run beside this one may bind it first)."""
    for _ in range(3):
        port = free_port()
        web = subprocess.Popen([sys.executable, "-m", "monitor", "web", "--config", str(config), "--listen", f"0.0.0.0:{port}"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
        if web.stdout and "web view of" in web.stdout.readline():
            return web, port
        web.kill()
        _, errors = web.communicate(timeout=30)
        assert "cannot listen there" in errors, errors
    raise AssertionError("no free port for monitor web in three tries")


def test_a_site_off_loopback_refuses_to_start_without_credentials_and_asks_for_them(tmp_path: Path, seeded: tuple[Seeded, str], browser: object) -> None:
    data, _ = seeded
    config = data.pipeline.settings.path
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_WEB_")}
    port = free_port()
    refused = subprocess.run([sys.executable, "-m", "monitor", "web", "--config", str(config), "--listen", f"0.0.0.0:{port}"],
                             capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [f"monitor: error: the web view on 0.0.0.0:{port} (not a loopback address) needs MONITOR_WEB_TOKEN, "
                                                   "or MONITOR_WEB_USER and MONITOR_WEB_PASSWORD, set in the environment; or listen on 127.0.0.1"]
    token = "s3cret-token-for-the-test"
    web, port = started_web(config, {**env, "MONITOR_WEB_TOKEN": token})
    with web:
        try:
            browser.get(f"http://127.0.0.1:{port}/alerts")  # type: ignore[attr-defined]
            assert "authentication required" in browser.find_element(By.TAG_NAME, "body").text  # type: ignore[attr-defined]
            browser.get_log("browser")  # type: ignore[attr-defined]  # the 401 is logged as a failed resource: expected here
            visit(browser, f"http://127.0.0.1:{port}/alerts?token={token}")
            assert browser.find_elements(By.CSS_SELECTOR, "#alerts tr.alert")  # type: ignore[attr-defined]
            assert token not in browser.page_source  # type: ignore[attr-defined]
            browser.find_element(By.LINK_TEXT, "Sources").click()  # type: ignore[attr-defined]  # links work on: the token went in a cookie
            assert "wire" in browser.find_element(By.ID, "sources").text  # type: ignore[attr-defined]
            browser.delete_all_cookies()  # type: ignore[attr-defined]
        finally:
            web.terminate()
            web.wait(30)


def test_a_very_long_word_wraps_instead_of_widening_the_pages(tmp_path: Path, browser: object) -> None:
    """Regression (found by helper xdesk): a title or sentence with a word of hundreds of letters (a slug, a hostile
    feed) made the alert page 6,500 px wide and the actor page 2,500 px in a 1,280 px window: every other line of
    the page was read by scrolling sideways."""
    import json
    import time

    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings
    from tests.conftest import write_config

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    word = "Z" * 600
    (inbox / "a.json").write_text(json.dumps({"title": f"Rockets {word}", "url": "https://news.example/" + "p" * 600,
                                              "text": f"Kataeb Hezbollah fired rockets at the base {word} on Sunday, officials said."}))
    os.utime(inbox / "a.json", (time.time() - 60, time.time() - 60))
    pipeline = build_pipeline(load_settings(write_config(tmp_path, folders=[inbox])))
    pipeline.run_once()
    pages_fit_the_window(browser, pipeline, ("/alerts", "/alerts/1", "/stories", "/stories/1", "/actor?name=" + quote("Kataeb Hezbollah")), word)


def test_a_long_word_in_a_source_actor_event_or_tag_name_wraps_instead_of_widening_the_pages(tmp_path: Path, browser: object) -> None:
    """Regression (xweb3, session 43): only a title's cell (td.title) wrapped a word of hundreds of letters; a source's
    name or place (a feed named by its URL, a folder's path), an actor's, an event's or a tag's in any other cell of a
    table set that column's narrowest width: the sources page and the alert page (its story's sources) were 2,500 px
    wide in a 1,280 px window, and the story table squeezed its titles into a column 49 px wide, 9,700 px tall."""
    import json
    import time

    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings
    from tests.conftest import write_config

    inbox = tmp_path / ("F" * 200)
    inbox.mkdir()
    actor, event, tag = "Kataeb" + "H" * 190, "rocket" + "R" * 190, "T" * 300
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(json.dumps({"actors": [{"name": actor, "kind": "group", "tags": [tag], "aliases": ["Kataeb Hezbollah"]}],
                                     "events": [{"name": event, "severity": 2, "phrases": ["fired rockets"]}],
                                     "rules": [{"name": "rule" + "U" * 300, "min_severity": 2, "within": "sentence", "tags": [tag]}]}))
    (inbox / "a.json").write_text(json.dumps({"title": "Rockets at the base", "url": "https://news.example/a",
                                              "text": "Kataeb Hezbollah fired rockets at the base on Sunday, officials said."}))
    os.utime(inbox / "a.json", (time.time() - 60, time.time() - 60))
    pipeline = build_pipeline(load_settings(write_config(tmp_path, folders=[inbox], watchlist=watchlist)))
    pipeline.run_once()
    pages_fit_the_window(browser, pipeline, ("/alerts", "/alerts/1", "/stories", "/stories/1", "/sources", "/actors", "/actor?name=" + quote(actor)),
                         "F" * 200, not_shown_on=("/actors", "/stories"))


def test_an_actor_or_event_named_with_a_bidi_mark_is_found_by_the_filters(tmp_path: Path, browser: object) -> None:
    """Regression (xweb3, session 43): the filters' options show a name as every page does, its control characters
    written out (`\\u200f`), and the form sends what an option shows: an actor or event whose name holds a bidi mark
    (a right-to-left mark beside an Arabic name) filtered nothing ("No alerts match these filters") and the choice
    was lost. The site reads a filter's value back to the name it shows."""
    import json
    import time

    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings
    from tests.conftest import write_config

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    actor, event = "كتائب حزب الله\u200f Kataeb Hezbollah", "rocket attack \u202e"
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(json.dumps({"actors": [{"name": actor, "kind": "group", "aliases": ["Kataeb Hezbollah"]},
                                                {"name": "Qassem Suleimani", "kind": "person", "aliases": ["Qassem Suleimani"]}],
                                     "events": [{"name": event, "severity": 2, "phrases": ["fired rockets"]},
                                                {"name": "killing", "severity": 2, "phrases": ["was killed"]}],
                                     "rules": [{"name": "actor in event", "min_severity": 2, "within": "sentence"}]}))
    for name, text in (("a", "Kataeb Hezbollah fired rockets at the base on Sunday, officials said."),
                       ("b", "Qassem Suleimani was killed near the airport, the ministry said.")):
        (inbox / f"{name}.json").write_text(json.dumps({"title": text[:30], "url": f"https://news.example/{name}", "text": text}))
        os.utime(inbox / f"{name}.json", (time.time() - 60, time.time() - 60))
    pipeline = build_pipeline(load_settings(write_config(tmp_path, folders=[inbox], watchlist=watchlist)))
    pipeline.run_once()
    served = Background(create_app(pipeline.db, lambda: pipeline.ingest.matcher.watchlist, Access()), bind(("127.0.0.1", 0), str))
    try:
        site = f"http://127.0.0.1:{served.port}"
        for field, chosen in (("actor", actor), ("event", event)):
            visit(browser, site + "/alerts")
            assert len(browser.find_elements(By.CSS_SELECTOR, "#alerts tr.alert")) == 2  # type: ignore[attr-defined]
            Select(browser.find_element(By.NAME, field)).select_by_index(2)  # type: ignore[attr-defined]  # "any", then the names in order: ours last
            browser.find_element(By.ID, "apply").click()  # type: ignore[attr-defined]
            wait_for(lambda: f"{field}=" in browser.current_url)  # type: ignore[attr-defined]
            rows = browser.find_elements(By.CSS_SELECTOR, "#alerts tr.alert")  # type: ignore[attr-defined]
            assert len(rows) == 1 and "Kataeb Hezbollah fired" in rows[0].text, (field, [r.text for r in rows])
            assert Select(browser.find_element(By.NAME, field)).first_selected_option.text != "any"  # type: ignore[attr-defined]
    finally:
        served.close()
        pipeline.db.engine.dispose()


def test_the_actor_chart_fits_a_narrow_window(seeded: tuple[Seeded, str], browser: object) -> None:
    """Regression (xweb3, session 43): the chart was drawn 900 px wide whatever the window (the pages say
    `width=device-width`): in a phone's window, or a narrow one beside another, the actor page scrolled sideways.
    It is scaled to the window now (its viewBox keeps the drawing)."""
    data, site = seeded
    browser.set_window_size(500, 900)  # type: ignore[attr-defined]  # headless Chromium's narrowest
    try:
        visit(browser, site + "/actor?name=" + quote("Kataeb Hezbollah"))
        wide, window = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")  # type: ignore[attr-defined]
        chart = browser.find_element(By.ID, "chart").rect  # type: ignore[attr-defined]
        assert wide <= window and chart["x"] + chart["width"] <= window and chart["height"] > 100, (wide, window, chart)
    finally:
        browser.set_window_size(1280, 900)  # type: ignore[attr-defined]


def pages_fit_the_window(browser: object, pipeline: Any, paths: Sequence[str], word: str, not_shown_on: Sequence[str] = ()) -> None:
    """Serve the pipeline's store and visit each path: `word` is shown whole in its main part (but on `not_shown_on`),
    and the page is no wider than the browser's window."""
    served = Background(create_app(pipeline.db, lambda: pipeline.ingest.matcher.watchlist, Access()), bind(("127.0.0.1", 0), str))
    try:
        site = f"http://127.0.0.1:{served.port}"
        for path in paths:
            visit(browser, site + path)
            assert word in browser.find_element(By.TAG_NAME, "main").text.replace("\n", "") or path in not_shown_on  # type: ignore[attr-defined]
            wide, window = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")  # type: ignore[attr-defined]
            assert wide <= window, f"{path}: {wide} px wide in a {window} px window"
    finally:
        served.close()
        pipeline.db.engine.dispose()

"""The search page in a real browser: Debian's Chromium, headless, driven by Selenium.

The server is the real one (uvicorn, in a thread, on a free loopback port) over
an index of the bundled corpus articles plus one article whose title and body
hold markup. Without Chromium and ChromeDriver these tests skip, except under
``CI=true``, where they fail (``.ci/run`` installs both).

``SEARCHKIT_SCREENSHOT=docs/serve.png`` also saves a screenshot of a search.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from searchkit import Index
from searchkit.serve import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HOSTILE = {"id": "x-hostile", "title": "<b>Bold</b> headline <img src=x onerror=\"window.pwned = 'title'\">",
           "lang": "en", "category": "test", "published": "2020-01-02",
           "body": "A pwned article. <script>window.pwned = 'script'</script> and "
                   "<img src=x onerror=\"window.pwned = 'img'\"> sit in its body."}


def _browser_or_skip() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        message = f"no {' or '.join(missing)}: install Debian's chromium and chromium-driver"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (required under CI)")
        pytest.skip(message)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, corpus_articles: list[dict[str, Any]]) -> Iterator[str]:
    """Base URL of a real uvicorn server over the test index."""
    import uvicorn

    _browser_or_skip()
    ix = Index.create(tmp_path_factory.mktemp("serve") / "ix")
    ix.add([*corpus_articles, HOSTILE])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(ix), log_level="warning"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)
    sock.close()
    ix.close()


@pytest.fixture(scope="module")
def browser(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1200,900",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def _wait(driver: Any, what: Callable[[Any], Any], timeout: float = 15) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(what)


def _hits(driver: Any) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(driver.find_elements(By.CSS_SELECTOR, "#hits > li.hit"))


def _ids(driver: Any) -> list[str]:
    """The ids of the hits shown (read in one step: the page may re-render between two reads)."""
    return list(driver.execute_script(
        "return [...document.querySelectorAll('#hits > li.hit')].map(e => e.dataset.id)"))


def _first_id(driver: Any) -> str | None:
    ids = _ids(driver)
    return ids[0] if ids else None


def _shown_query(driver: Any) -> str:
    return str(driver.execute_script("return document.getElementById('hits').dataset.query || ''"))


def _query(driver: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(driver.current_url).query)


def _type(driver: Any, server: str, text: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(server + "/")
    box = driver.find_element(By.ID, "q")
    _wait(driver, lambda d: d.switch_to.active_element == box)  # the input has the focus on load
    for ch in text:  # one key at a time, as a person types
        box.send_keys(ch)
        time.sleep(0.03)
    _wait(driver, lambda d: _query(d).get("q") == [text] and _shown_query(d) == text and _ids(d))


def test_typing_a_japanese_name(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    _type(browser, server, "小泉")
    _wait(browser, lambda d: _first_id(d) == "seed-2")
    first = _hits(browser)[0]
    assert [m.text for m in first.find_elements(By.CSS_SELECTOR, ".snippet mark")][0] == "小泉"
    assert "results" in browser.find_element(By.ID, "status").text


def test_typing_the_romaji_finds_both_scripts_and_a_facet_narrows(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    _type(browser, server, "Koizumi")
    _wait(browser, lambda d: _first_id(d) == "seed-1")
    assert _hits(browser)[0].find_element(By.CSS_SELECTOR, "mark").text == "Koizumi"
    browser.find_element(By.CSS_SELECTOR, 'button.facet[data-facet="lang"][data-value="ja"]').click()
    _wait(browser, lambda d: _query(d).get("lang") == ["ja"] and _first_id(d) == "seed-2")
    first = _hits(browser)[0]
    assert "小泉" in [m.text for m in first.find_elements(By.CSS_SELECTOR, ".snippet mark")]
    assert "Koizumi → 小泉" in browser.find_element(By.ID, "crossscript").text
    assert browser.find_element(By.CSS_SELECTOR, 'button.facet.active[data-facet="lang"]').get_attribute(
        "data-value") == "ja"


def test_a_late_answer_to_an_earlier_search_is_dropped(browser: Any, server: str) -> None:
    """The answer to "Japan" is held back 1.5 s, past the abort; the page keeps showing the newer search."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(server + "/")
    browser.execute_script("""
        const real = window.fetch;
        window.lateAnswers = 0;
        window.fetch = (url, opts) => /[?&]q=Japan(&|$)/.test(String(url))
            ? real(url).then(r => new Promise(ok => setTimeout(() => { window.lateAnswers++; ok(r); }, 1500)))
            : real(url, opts);""")
    box = browser.find_element(By.ID, "q")
    box.send_keys("Japan")
    _wait(browser, lambda d: _query(d).get("q") == ["Japan"])  # its search has started
    box.send_keys(Keys.BACKSPACE * 5 + "小泉")
    _wait(browser, lambda d: _shown_query(d) == "小泉" and _first_id(d) == "seed-2")
    _wait(browser, lambda d: d.execute_script("return window.lateAnswers") == 1)  # the late answer came
    time.sleep(0.3)
    assert _shown_query(browser) == "小泉" and _first_id(browser) == "seed-2"
    assert _query(browser).get("q") == ["小泉"]


def test_did_you_mean_offers_the_spelling_and_searches_it(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server + "/?q=goverment")
    _wait(browser, lambda d: d.find_element(By.ID, "suggestion").is_displayed())
    assert browser.find_element(By.ID, "suggest").text == "government" and not _ids(browser)
    browser.find_element(By.ID, "suggest").click()
    _wait(browser, lambda d: _shown_query(d) == "government" and _ids(d))
    assert _query(browser).get("q") == ["government"]
    assert not browser.find_element(By.ID, "suggestion").is_displayed()
    marks = browser.find_elements(By.CSS_SELECTOR, "#hits > li.hit .snippet mark")
    assert marks and all(m.text.lower().startswith("govern") for m in marks[:3])


def test_paging_keeps_the_search_in_the_url(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    _type(browser, server, "Japan")
    page1 = _ids(browser)
    assert len(page1) == 10
    browser.find_element(By.ID, "next").click()
    _wait(browser, lambda d: _query(d).get("page") == ["2"] and _first_id(d) not in page1)
    assert browser.find_element(By.ID, "pageinfo").text.startswith("2 / ")
    page2 = _ids(browser)
    assert not set(page1) & set(page2)
    browser.refresh()  # a reload, or a shared link, shows the same page
    _wait(browser, lambda d: _ids(d) == page2)
    assert browser.find_element(By.ID, "q").get_attribute("value") == "Japan"
    browser.back()
    _wait(browser, lambda d: _ids(d) == page1)


def test_a_link_opens_a_search_with_its_filters(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server + "/?q=Koizumi&lang=ja&sort=date")
    _wait(browser, lambda d: _hits(d))
    assert browser.find_element(By.ID, "q").get_attribute("value") == "Koizumi"
    assert browser.find_element(By.ID, "sort").get_attribute("value") == "date"
    assert {h.find_element(By.CSS_SELECTOR, ".meta").text.split(" · ")[1] for h in _hits(browser)} == {"ja"}


def test_related_articles_open_under_a_hit(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    _type(browser, server, "小泉")
    _wait(browser, lambda d: _first_id(d) == "seed-2")
    first = _hits(browser)[0]
    first.find_element(By.CSS_SELECTOR, "button.related-toggle").click()
    items = _wait(browser, lambda d: first.find_elements(By.CSS_SELECTOR, ".related-list li"))
    assert 0 < len(items) <= 5 and all(i.text for i in items)
    assert first.find_element(By.CSS_SELECTOR, "button.related-toggle").get_attribute("aria-expanded") == "true"


def test_markup_in_an_article_shows_as_text_and_runs_nothing(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    _type(browser, server, "pwned")
    _wait(browser, lambda d: _first_id(d) == "x-hostile")
    first = _hits(browser)[0]
    assert "<script>window.pwned = 'script'</script>" in first.find_element(By.CSS_SELECTOR, ".snippet").text
    assert first.find_element(By.CSS_SELECTOR, ".title").text.startswith("<b>Bold</b> headline <img")
    assert browser.find_elements(By.CSS_SELECTOR, "#hits img, #hits script, #hits b") == []
    first.find_element(By.CSS_SELECTOR, "button.related-toggle").click()
    _wait(browser, lambda d: first.find_elements(By.CSS_SELECTOR, ".related p, .related-list"))
    time.sleep(0.3)  # an onerror would have fired by now
    assert browser.execute_script("return window.pwned === undefined")


def test_keyboard_and_phone_width(browser: Any, server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _type(browser, server, "小泉")
    from selenium.webdriver.common.action_chains import ActionChains

    box = browser.find_element(By.ID, "q")
    browser.execute_script("document.activeElement.blur()")
    assert browser.switch_to.active_element != box
    ActionChains(browser).send_keys("/").perform()
    assert browser.switch_to.active_element == box
    box.send_keys(Keys.TAB)  # the next stop is the sort menu, then the facets
    assert browser.switch_to.active_element.get_attribute("id") == "sort"
    try:
        browser.set_window_size(390, 844)
        _wait(browser, lambda d: d.execute_script("return window.innerWidth") <= 400)
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 400
    finally:
        browser.set_window_size(1200, 900)


def test_screenshot(browser: Any, server: str) -> None:
    target = os.environ.get("SEARCHKIT_SCREENSHOT")
    if not target:
        pytest.skip("set SEARCHKIT_SCREENSHOT=docs/serve.png to save a screenshot")
    browser.set_window_size(1200, 1000)
    browser.get(server + "/?q=Koizumi")
    _wait(browser, lambda d: len(_hits(d)) >= 5)
    time.sleep(0.3)
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(target)

"""The search page in a real browser: Debian's headless Chromium driven by Playwright.

A person's session, with the keyboard where a person would use it: type an Arabic query
with diacritics, see the highlighted results, narrow them by an outlet and by a month of
the chart, open an article and then one of its similar articles. Each page is saved as
a screenshot (the README's images are made here: `make screenshots`).

Needs `playwright` (the dev extra) and Debian's `chromium` with an Arabic font
(`apt-get install chromium fontconfig fonts-dejavu-core fonts-noto-core`; `.ci/run` installs them).
Playwright's own browser downloads cannot be fetched here, so the Debian binary is used.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from arshif.search.web.server import LOOPBACK, listen, server, url
from tests.conftest import REPO
from tests.web_archive import build_web_archive

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="pip install -e '.[dev]' installs playwright"
)

# The real binary: /usr/bin/chromium is a wrapper script Playwright cannot drive.
CHROMIUM = Path(os.environ.get("ARSHIF_CHROMIUM", "/usr/lib/chromium/chromium"))
INSTALL = "apt-get install chromium fontconfig fonts-dejavu-core fonts-noto-core"
SHOTS = Path(os.environ.get("ARSHIF_SCREENSHOTS", REPO / "test-artifacts" / "browser"))
QUERY = "التَّحالُف الدَّوْلِيّ"
PHONE = {"width": 390, "height": 844}


def _require(condition: bool, why: str) -> None:
    """Skip without the browser; in CI (ARSHIF_CI), where .ci/run installs it, fail."""
    if not condition:
        message = f"{why}: {INSTALL}"
        if os.environ.get("ARSHIF_CI"):
            pytest.fail(message)
        pytest.skip(message)


def arabic_fonts() -> set[str]:
    """The font families fontconfig says cover Arabic."""
    listed = subprocess.run(
        ["fc-list", ":lang=ar", "family"], capture_output=True, text=True, check=True
    ).stdout
    return {name for line in listed.splitlines() for name in line.split(",")}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`arshif serve` on a free loopback port, in a thread of this process."""
    index_dir = build_web_archive(tmp_path_factory.mktemp("browser"))
    sock = listen(LOOPBACK, 0)  # listening already: requests wait for the server, no race
    app_server = server(index_dir, log_level="warning")
    thread = threading.Thread(target=app_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield url(sock).rstrip("/")
    app_server.should_exit = True
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    _require(CHROMIUM.exists(), f"Debian's Chromium is not at {CHROMIUM}")
    _require(bool(shutil.which("fc-list")) and bool(arabic_fonts()), "no Arabic font")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="ar")
    context.set_default_timeout(20_000)
    opened = context.new_page()
    yield opened
    context.close()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def font_of(page: Page, selector: str) -> list[str]:
    """The fonts Chromium actually drew the element's text with (not the CSS wish list)."""
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    cdp.send("CSS.enable")
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return [f["familyName"] for f in fonts]


def search_by_keyboard(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.keyboard.type(QUERY)  # the search box has the focus on arrival
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/\?q="))


def test_search_with_diacritics_highlights_in_an_arabic_font(page: Page, base_url: str) -> None:
    search_by_keyboard(page, base_url)
    assert page.locator("html").get_attribute("dir") == "rtl"
    marks = page.locator(".hit mark").all_inner_texts()
    assert "التحالف" in marks and "الدولي" in marks
    assert page.locator(".hit").count() >= 3
    used = font_of(page, ".hit .snippet")
    assert used and set(used) <= arabic_fonts(), used
    shot(page, "results")


def test_an_outlet_facet_and_a_month_bar_narrow_the_results(page: Page, base_url: str) -> None:
    search_by_keyboard(page, base_url)
    outlet = page.locator(".facet").first.locator("a").first
    name = outlet.inner_text()
    outlet.click()
    page.wait_for_url(re.compile(r"source="))
    sources = page.locator(".hit > p > .meta .source").all_inner_texts()
    assert sources and set(sources) == {name}
    shot(page, "outlet")

    page.goto(base_url + "/?" + "q=" + QUERY)
    bar = page.locator("a.bar").first
    month = bar.get_attribute("aria-label").split(":")[0]
    bar.click()
    page.wait_for_url(re.compile(f"from={month}&to={month}"))
    dates = page.locator(".hit > p > .meta time").all_inner_texts()
    assert dates and all(d.startswith(month) for d in dates)
    shot(page, "month")


def test_an_article_and_its_similar_articles(page: Page, base_url: str) -> None:
    search_by_keyboard(page, base_url)
    first = page.locator(".hit h2 a").first
    title = first.inner_text()
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/articles/"))
    assert page.locator("h1").inner_text() == title
    assert set(font_of(page, ".article .body p")) <= arabic_fonts()
    shot(page, "article")

    similar = page.locator(".similar li a").first
    other = similar.inner_text()
    similar.click()
    page.wait_for_url(re.compile(r"/articles/"))
    assert page.locator("h1").inner_text() == other != title
    shot(page, "similar")


def test_stats_and_a_phone_sized_screen(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="ar")
    phone = context.new_page()
    for path, name in ((f"/?q={QUERY}", "phone-results"), ("/stats", "phone-stats")):
        phone.goto(base_url + path)
        overflow = phone.evaluate("document.documentElement.scrollWidth") - PHONE["width"]
        assert overflow <= 0, f"{path} scrolls sideways on a phone by {overflow}px"
        shot(phone, name)
    assert phone.locator(".facet li").count() > 0
    context.close()

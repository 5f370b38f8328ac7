"""The built documentation site (``make docs``): complete, and readable in a real browser.

The checks read ``docs/_build/html``; they skip with a message where it has not been built
(or is older than the code, for the checks of its contents), and where Chromium is absent
for the browser checks, so that ``make test`` alone stays green. ``.ci/run`` builds the site
first and sets ``TSCLASSIC_DOCS_REQUIRED=1``, under which a missing site or browser fails.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "docs" / "_build" / "html"
SHOTS = ROOT / "docs" / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
REQUIRED = os.environ.get("TSCLASSIC_DOCS_REQUIRED") == "1"
# A notebook whose code draws must show at least one image on its page.
_DRAWS = re.compile(r"plt\.|plot_series|subplots|\.plot\(")


def _absent(reason: str):
    if REQUIRED:
        pytest.fail(f"{reason} (TSCLASSIC_DOCS_REQUIRED=1)")
    pytest.skip(reason)


def _site(fresh: bool = False) -> Path:
    if not (HTML / "index.html").exists():
        _absent(f"the site is not built ({HTML}): run `make docs`")
    if fresh and not REQUIRED:
        newest = max(p.stat().st_mtime for p in (ROOT / "tsclassic").rglob("*.py"))
        if (HTML / "index.html").stat().st_mtime < newest:
            pytest.skip("docs/_build/html is older than the code: run `make docs`")
    return HTML


def _public_modules() -> list[str]:
    sys.path.insert(0, str(ROOT / "docs" / "_ext"))
    try:
        import apigen
    finally:
        sys.path.pop(0)
    return apigen.public_modules()


def test_every_public_name_has_its_entry():
    site = _site(fresh=True)
    import importlib

    for name in _public_modules():
        page = site / "api" / f"{name}.html"
        assert page.exists(), f"no reference page for tsclassic.{name}"
        text = page.read_text()
        for member in importlib.import_module(f"tsclassic.{name}").__all__:
            assert f'id="tsclassic.{name}.{member}"' in text, f"tsclassic.{name}.{member}"


def test_estimator_table_lists_every_estimator():
    import tsclassic

    text = (_site(fresh=True) / "api" / "estimators.html").read_text()
    missing = [n for n, _ in tsclassic.all_estimators() if f">{n}<" not in text]
    assert not missing, f"estimators missing from the table: {missing}"


def test_notebook_pages_show_their_plots():
    site = _site(fresh=True)
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        page = site / "notebooks" / f"{notebook.stem}.html"
        assert page.exists(), f"{notebook.name} is not in the site"
        code = "".join("".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]
                       if c["cell_type"] == "code")
        if _DRAWS.search(code):
            assert "<img" in page.read_text(), (
                f"{notebook.name} draws, but its page shows no image: does it call "
                "matplotlib.use('Agg'), which stops Jupyter from showing figures?")


@pytest.fixture(scope="module")
def served():
    """The site on a local HTTP server, as a reader's browser would fetch it."""
    site = _site()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        _absent("Chromium is absent: apt-get install chromium chromium-driver")
    try:
        from selenium import webdriver
    except ImportError:
        _absent("selenium is absent: pip install -e '.[docs]'")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _open(driver, url: str) -> list[dict]:
    """Load a page and wait for it; the console's errors while it loaded."""
    driver.get_log("browser")  # drop what an earlier page left
    driver.get(url)
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "if (document.readyState === 'complete') done(); else addEventListener('load', done);")
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_index_loads_without_console_errors(served, browser):
    errors = _open(browser, f"{served}/index.html")
    assert not errors, errors
    assert "tsclassic" in browser.title
    # the theme's stylesheet and header arrived: the page is styled, not bare HTML
    assert browser.execute_script("return document.querySelector('.bd-header') !== null")
    assert browser.execute_script("return document.styleSheets.length") > 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / "index.png"))


def test_notebook_page_shows_its_images(served, browser):
    errors = _open(browser, f"{served}/notebooks/getting_started.html")
    assert not errors, errors
    images = browser.execute_script(
        "return [...document.querySelectorAll('.cell_output img')]"
        ".map(i => [i.complete, i.naturalWidth, i.naturalHeight]);")
    assert images, "the notebook page shows no image"
    assert all(done and width > 0 and height > 0 for done, width, height in images), images
    browser.execute_script(
        "document.querySelector('.cell_output img').scrollIntoView({block: 'center'});")
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / "notebook.png"))

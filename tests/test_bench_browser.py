"""The bench report opened in headless Chromium: it loads without console errors and
every plot is displayed (decoded, with a size), not just present in the HTML, and the
pixels the browser paints for each plot are the plot's: a screenshot of each image is
compared with the PNG the report embeds, and checked for ink and colour.

The browser fixture is the documentation site's (selenium with /usr/bin/chromium and
chromedriver); the test skips with its message where either is absent.
"""

import base64
import io

import numpy as np
import pandas as pd
import pytest
from test_docs_site import _open, browser  # noqa: F401 - the fixture is used by name

from tsclassic.bench.report import write_report


def results() -> pd.DataFrame:
    rows = [
        ("classification", "GunPoint", "Majority", "baseline", 0.49, None, 0.0),
        ("classification", "GunPoint", "1NN-DTW", "classical", 0.91, None, 0.5),
        ("classification", "GunPoint", "FCN", "deep", 0.99, None, 12.0),
        ("classification", "ItalyPowerDemand", "1NN-DTW", "classical", 0.95, None, 0.2),
        ("classification", "ItalyPowerDemand", "FCN", "deep", 0.96, None, 3.0),
        ("forecasting", "AirPassengers", "Naive2", "classical", None, 1.0, 0.01),
        ("forecasting", "AirPassengers", "RNN-LSTM", "deep", None, 0.84, 3.0),
    ]
    frame = pd.DataFrame(rows, columns=["suite", "dataset", "model", "family", "accuracy",
                                        "owa", "fit_time_s"])
    return frame.assign(predict_time_s=0.01, budget_limited=[0, 0, 1, 0, 0, 0, 0])


def test_the_report_loads_in_a_browser_and_shows_every_plot(tmp_path, browser):  # noqa: F811
    write_report(results(), tmp_path)
    errors = _open(browser, (tmp_path / "report.html").as_uri())
    assert not errors, errors
    assert browser.title == "tsclassic bench"
    images = browser.execute_script(
        "return [...document.images].map(i => [i.alt, i.complete, i.naturalWidth, i.naturalHeight]);")
    assert sorted(alt for alt, *_ in images) == ["classification", "forecasting"]
    assert all(done and width > 100 and height > 100 for _, done, width, height in images), images
    headings = browser.execute_script(
        "return [...document.querySelectorAll('h2')].map(h => h.textContent);")
    assert headings == ["Verdict", "classification", "forecasting"]
    browser.save_screenshot(str(tmp_path / "report.png"))


def _pixels(png: bytes, size: tuple[int, int] | None = None) -> np.ndarray:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    if size is not None and image.size != size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    return np.asarray(image, dtype=float)


def test_the_browser_paints_each_plot_as_embedded(tmp_path, browser):  # noqa: F811
    pytest.importorskip("PIL")
    from selenium.webdriver.common.by import By

    write_report(results(), tmp_path)
    assert not _open(browser, (tmp_path / "report.html").as_uri())
    browser.execute_script("document.body.style.zoom = '1'")
    images = browser.find_elements(By.TAG_NAME, "img")
    assert len(images) == 2
    for image in images:
        browser.execute_script("arguments[0].scrollIntoView()", image)
        shot = _pixels(image.screenshot_as_png)
        height, width = shot.shape[:2]
        assert width > 300 and height > 200, (image.get_attribute("alt"), shot.shape)
        embedded = base64.b64decode(image.get_attribute("src").split(",", 1)[1])
        expected = _pixels(embedded, (width, height))
        # The same picture, up to the browser's resampling of a scaled image.
        difference = np.abs(shot - expected).mean()
        assert difference < 6, (image.get_attribute("alt"), difference)
        # Not blank: axes, labels and markers cover part of the plot, in more than one
        # colour (classical, deep and baseline markers differ).
        ink = (shot.min(axis=2) < 200).mean()
        assert 0.01 < ink < 0.6, (image.get_attribute("alt"), ink)
        saturated = shot.max(axis=2) - shot.min(axis=2) > 80
        hues = {tuple(np.round(p / 64)) for p in shot[saturated][::7]}
        assert saturated.mean() > 0.0005 and len(hues) >= 2, (image.get_attribute("alt"), hues)

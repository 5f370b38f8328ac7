"""The bench report opened in headless Chromium: it loads without console errors and
every plot is displayed (decoded, with a size), not just present in the HTML.

The browser fixture is the documentation site's (selenium with /usr/bin/chromium and
chromedriver); the test skips with its message where either is absent.
"""

import pandas as pd
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

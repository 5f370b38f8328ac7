"""The bench report: a verdict per problem read from the cells, plots per data set."""

import numpy as np
import pandas as pd

from tsclassic.bench.report import (
    _pareto,
    reference_lines,
    verdicts,
    warning_lines,
    write_report,
)


def cells():
    rows = [
        ("classification", "GunPoint", "1NN-DTW", "classical", 0.91, 0.5, None),
        ("classification", "GunPoint", "FeatureClassifier", "classical", 0.95, 2.0, None),
        ("classification", "GunPoint", "FCN", "deep", 0.99, 40.0, 1),
        ("classification", "Coffee", "FeatureClassifier", "classical", 1.0, 1.0, None),
        ("classification", "Coffee", "FCN", "deep", 0.9, 30.0, 0),
        ("forecasting", "AirPassengers", "Theta", "classical", 0.8, 0.1, None),
    ]
    frame = pd.DataFrame(rows, columns=["suite", "dataset", "model", "family", "value",
                                        "fit_time_s", "budget_limited"])
    frame["accuracy"] = np.where(frame["suite"] == "classification", frame["value"], np.nan)
    frame["owa"] = np.where(frame["suite"] == "forecasting", frame["value"], np.nan)
    frame["predict_time_s"] = 0.0
    return frame.drop(columns="value")


def test_the_verdict_names_the_best_of_each_family_the_gap_and_the_time_ratio():
    text = verdicts(cells())
    classification = text["classification"]
    assert "on 1 of the 2 data sets" in classification
    assert "GunPoint: FeatureClassifier 0.95 against FCN 0.99 (budget-limited)" in classification
    assert "Coffee: FeatureClassifier 1 against FCN 0.9" in classification
    assert "20x the time" in classification  # GunPoint: 40 s against 2 s
    assert "Caveat: on 1 of these data sets" in classification
    assert "no data set has both" in text["forecasting"]


def test_the_pareto_front_keeps_the_points_no_other_beats_on_time_and_metric():
    seconds = np.array([1.0, 2.0, 3.0, 0.5])
    accuracy = np.array([0.8, 0.7, 0.9, 0.6])
    assert list(_pareto(seconds, accuracy, higher_better=True)) == [3, 0, 2]
    assert list(_pareto(seconds, -accuracy, higher_better=False)) == [3, 0, 2]


def test_the_report_opens_with_the_verdict_and_draws_one_panel_per_data_set(tmp_path):
    write_report(cells(), tmp_path)
    md = (tmp_path / "results.md").read_text()
    assert md.index("## Verdict") < md.index("## classification")
    assert (tmp_path / "classification.png").stat().st_size > 1000
    assert "<h2>Verdict</h2>" in (tmp_path / "report.html").read_text()


def test_a_second_ctrl_c_while_the_report_is_written_still_leaves_the_report(
        tmp_path, monkeypatch):
    import os
    import signal

    import pytest

    import tsclassic.bench as bench
    from tsclassic.bench import report

    def slow_write(results, out_dir, missing=None):
        os.kill(os.getpid(), signal.SIGINT)  # the second Ctrl-C, mid-report
        write_report(results, out_dir, missing)

    monkeypatch.setattr(report, "write_report", slow_write)
    with pytest.raises(KeyboardInterrupt):
        bench._write_report_uninterrupted(cells(), tmp_path)
    assert (tmp_path / "report.html").exists()


def test_published_figures_are_listed_beside_ours_with_their_source_and_budget(tmp_path):
    frame = cells()
    frame["reference"] = [0.91, None, 0.98, None, 1.0, None]
    frame["reference_source"] = ["Dau", None, "Fawaz", None, "Fawaz", None]
    frame.loc[5, ["reference", "reference_owa", "reference_source"]] = [8.2, None, "N-BEATS"]
    frame["smape"] = [None] * 5 + [10.8]
    frame["time_limited"] = [None] * 5 + [1]
    forecasting = reference_lines(frame[frame["suite"] == "forecasting"])
    # forecasting's reference is a sMAPE: ours is its sMAPE, and no OWA is made up
    assert forecasting == ["N-BEATS: Theta on AirPassengers: smape 10.8 (published 8.2) "
                           "(stopped by the time limit)"]
    lines = reference_lines(frame[frame["suite"] == "classification"])
    assert lines[1] == ("Fawaz: FCN on Coffee: accuracy 0.9 (published 1); FCN on GunPoint: "
                        "accuracy 0.99 (published 0.98) (budget-limited)")
    write_report(frame, tmp_path)
    assert "Published figures beside ours (classification)" in (tmp_path / "results.md").read_text()


def test_fits_that_warned_are_listed_under_the_table_not_in_it(tmp_path):
    frame = cells()
    frame["n_series"] = 181
    frame["n_warned"] = [None] * 5 + [4]
    frame["first_warning"] = [None] * 5 + ["y has 9 values, too few for model='AAdN'"]
    assert warning_lines(frame) == ["Theta on AirPassengers: 4 of 181 series warned; first: "
                                    "y has 9 values, too few for model='AAdN'"]
    write_report(frame, tmp_path)
    md = (tmp_path / "results.md").read_text()
    table = md[md.index("## forecasting"):md.index("Fits that warned")]
    assert "first_warning" not in table and "| 4 |" in table


def test_a_missing_cell_whose_older_configuration_is_shown_says_so(tmp_path):
    write_report(cells(), tmp_path, missing=[("forecasting", "AirPassengers", "Theta"),
                                             ("forecasting", "AirPassengers", "Holt")])
    md = (tmp_path / "results.md").read_text()
    assert ("forecasting / AirPassengers: Theta (an older configuration's figure is in the "
            "table), Holt\n") in md

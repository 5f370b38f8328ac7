"""The bench report: a CSV of every cell, a Markdown table, PNG plots and one HTML page."""

from __future__ import annotations

import base64
import html
import io
import platform
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

# The metric each suite is judged by (lower is better unless marked).
SUITE_METRIC = {"forecasting": ("owa", "OWA (lower is better)"),
                "classification": ("accuracy", "accuracy (higher is better)"),
                "generation": ("perplexity", "perplexity (lower is better)")}
_ORDER = ["suite", "dataset", "model", "family"]


def summary_table(results: pd.DataFrame) -> pd.DataFrame:
    """Cells ordered by suite, dataset and model, with the shared columns first."""
    if results.empty:
        return results
    cols = _ORDER + [c for c in results.columns if c not in _ORDER]
    return results[cols].sort_values(_ORDER[:3]).reset_index(drop=True)


def _markdown(frame: pd.DataFrame) -> str:
    def fmt(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        if isinstance(v, float):
            return f"{v:.4g}" if abs(v) < 1e4 else f"{v:.0f}"
        return str(v)

    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(fmt(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows])


def suite_tables(results: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One compact table per suite: the suite's metric columns only."""
    tables = {}
    for suite, rows in results.groupby("suite"):
        # Sources and warnings are sentences: listed under the table, not in it.
        keep = [c for c in rows.columns if rows[c].notna().any() and c != "suite"
                and not c.endswith("source") and c != "first_warning"]
        tables[suite] = rows[keep].sort_values(["dataset", "model"]).reset_index(drop=True)
    return tables


PROBLEM = {"forecasting": "Forecasting", "classification": "Classification of whole series",
           "generation": "Sequence generation"}
HIGHER_IS_BETTER = {"accuracy"}


def _seconds(rows: pd.DataFrame) -> pd.Series:
    return rows["fit_time_s"].fillna(0) + rows["predict_time_s"].fillna(0)


def _best(rows: pd.DataFrame, metric: str) -> pd.Series:
    ordered = rows.sort_values(metric, ascending=metric not in HIGHER_IS_BETTER)
    return ordered.iloc[0]


def _budget_note(row: pd.Series) -> str:
    notes = []
    if row.get("budget_limited", 0) and row.get("budget_limited", 0) > 0:
        notes.append("budget-limited")
    if row.get("time_limited", 0) and row.get("time_limited", 0) > 0:
        notes.append("stopped by the time limit")
    return f" ({', '.join(notes)})" if notes else ""


def verdicts(results: pd.DataFrame) -> dict[str, str]:
    """One paragraph per suite, from the cells: on the data sets where both families ran,
    the best classical model against the best deep one, their gap in the suite's metric
    and their time ratio, with the budget caveat where a deep cell ran out of budget."""
    out = {}
    for suite, rows in results.groupby("suite"):
        metric, label = SUITE_METRIC.get(suite, (None, None))
        if metric not in rows.columns:
            continue
        rows = rows[rows[metric].notna()].assign(seconds=lambda r: _seconds(r))
        both = [d for d, g in rows.groupby("dataset") if set(g["family"]) >= {"classical", "deep"}]
        if not both:
            out[suite] = (f"{PROBLEM.get(suite, suite)}: no data set has both a classical and a "
                          f"deep result yet, so there is no verdict.")
            continue
        wins, gaps, ratios, lines, limited = 0, [], [], [], 0
        for dataset in both:
            part = rows[rows["dataset"] == dataset]
            classical = _best(part[part["family"] == "classical"], metric)
            deep = _best(part[part["family"] == "deep"], metric)
            sign = 1 if metric in HIGHER_IS_BETTER else -1
            gap = sign * (classical[metric] - deep[metric])
            wins += gap >= 0
            gaps.append(gap)
            ratio = deep["seconds"] / max(classical["seconds"], 1e-9)
            ratios.append(ratio)
            note = _budget_note(deep)
            limited += bool(note)
            lines.append(f"{dataset}: {classical['model']} {classical[metric]:.4g} against "
                         f"{deep['model']} {deep[metric]:.4g}{note}, the deep model taking "
                         f"{ratio:.3g}x the time")
        if wins * 2 == len(both):
            balance = "the two sides split the data sets"
        else:
            balance = f"the {'classical' if wins * 2 > len(both) else 'deep'} side leads"
        text = (
            f"{PROBLEM.get(suite, suite)}: the best classical model is as good as or better "
            f"than the best deep one on {wins} of the {len(both)} data sets where both ran "
            f"(by {label}); {balance}, with a mean margin of "
            f"{np.mean(gaps):+.4g} in {metric} (positive: classical ahead), while the best "
            f"deep model took a median {np.median(ratios):.3g}x the best classical model's "
            f"time. " + "; ".join(lines) + "."
        )
        if limited:
            text += (f" Caveat: on {limited} of these data sets the best deep model ended on "
                     f"its training budget while still improving (budget-limited) or on the "
                     f"time limit; its figure is a lower bound on what the network can reach "
                     f"with more training.")
        out[suite] = text
    return out


def _pareto(seconds: np.ndarray, values: np.ndarray, higher_better: bool) -> np.ndarray:
    """Indices of the points no other point beats on both time and the metric, by time."""
    order = np.argsort(seconds, kind="stable")
    front, best = [], -np.inf if higher_better else np.inf
    for i in order:
        better = values[i] > best if higher_better else values[i] < best
        if better:
            front.append(i)
            best = values[i]
    return np.array(front, dtype=int)


def _plot(rows: pd.DataFrame, suite: str) -> bytes | None:
    """One panel per data set: the metric against fit + predict time, each model named,
    the Pareto front drawn and published figures marked."""
    metric, label = SUITE_METRIC.get(suite, (None, None))
    if metric not in rows.columns or rows[metric].notna().sum() == 0:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = rows[rows[metric].notna()]
    datasets = sorted(rows["dataset"].unique())
    n_cols = min(3, len(datasets))
    n_rows = int(np.ceil(len(datasets) / n_cols))
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(5.2 * n_cols, 3.8 * n_rows), squeeze=False)
    higher = metric in HIGHER_IS_BETTER
    for ax, dataset in zip(axes.ravel(), datasets):
        part = rows[rows["dataset"] == dataset]
        seconds = _seconds(part).clip(lower=1e-3).to_numpy()
        values = part[metric].to_numpy(dtype=float)
        # Trivial baselines (majority class, unigram) are drawn but never judged as models.
        for family, marker, colour in (("classical", "o", "tab:blue"), ("deep", "s", "tab:red"),
                                       ("baseline", "x", "grey")):
            mask = (part["family"] == family).to_numpy()
            ax.scatter(seconds[mask], values[mask], marker=marker, color=colour, label=family,
                       zorder=3)
        for x, y, name in zip(seconds, values, part["model"]):
            ax.annotate(name, (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
        front = _pareto(seconds, values, higher)
        ax.step(seconds[front], values[front], where="post", color="grey", linewidth=1,
                linestyle="--", label="Pareto front", zorder=2)
        # The published figure in the panel's metric: forecasting's ``reference`` is the
        # sMAPE, its OWA is ``reference_owa``.
        column = f"reference_{metric}" if f"reference_{metric}" in part.columns else "reference"
        if column in part.columns and part[column].notna().any():
            ref = part[part[column].notna()]
            ax.scatter(_seconds(ref).clip(lower=1e-3), ref[column], marker="*", s=80,
                       color="black", label="published", zorder=4)
        ax.set_xscale("log")
        ax.set_title(dataset, fontsize=9)
        ax.set_xlabel("fit + predict time (s, log)", fontsize=8)
        ax.set_ylabel(label, fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(datasets):]:
        ax.set_visible(False)
    axes.ravel()[0].legend(fontsize=7)
    fig.suptitle(f"{suite}: {label} against time, per data set")
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def _missing_lines(missing: list[tuple[str, str, str]],
                   shown: set[tuple[str, str, str]] = frozenset()) -> list[str]:
    """``suite / dataset: model, model, ...`` per data set with cells missing; a model
    whose cell of an older configuration is in ``shown`` (and so in the tables) says so."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for suite, dataset, model in missing:
        note = " (an older configuration's figure is in the table)" if (
            suite, dataset, model) in shown else ""
        grouped.setdefault((suite, dataset), []).append(model + note)
    return [f"{suite} / {dataset}: {', '.join(models)}"
            for (suite, dataset), models in grouped.items()]


def reference_lines(rows: pd.DataFrame) -> list[str]:
    """One line per published source of a suite's rows: the source, then each cell's own
    figure beside the published one, with its budget flags (``reference`` is in the
    suite's metric; in forecasting the sMAPE, with the MASE and OWA where published)."""
    if "reference_source" not in rows.columns:
        return []
    lines = []
    for source, part in rows[rows["reference_source"].notna()].groupby("reference_source",
                                                                          sort=False):
        suite = part["suite"].iloc[0]
        metric = "smape" if suite == "forecasting" else SUITE_METRIC.get(suite, ("", ""))[0]
        cells = []
        for _, row in part.sort_values(["dataset", "model"]).iterrows():
            ours = row.get(metric)
            extra = "".join(f", {name} {row[col]:.4g}" for name, col in
                            (("MASE", "reference_mase"), ("OWA", "reference_owa"))
                            if col in row.index and pd.notna(row[col]))
            cells.append(f"{row['model']} on {row['dataset']}: {metric} {ours:.4g} (published "
                         f"{row['reference']:.4g}{extra}){_budget_note(row)}")
        lines.append(f"{source}: " + "; ".join(cells))
    return lines


def warning_lines(rows: pd.DataFrame) -> list[str]:
    """``model on dataset: n of N series warned: first warning`` for the cells whose fits
    warned (e.g. AutoETS's short-series fallback)."""
    if "n_warned" not in rows.columns:
        return []
    warned = rows[rows["n_warned"].fillna(0) > 0].sort_values(["dataset", "model"])
    return [f"{r['model']} on {r['dataset']}: {int(r['n_warned'])} of {int(r['n_series'])} "
            f"series warned; first: {r['first_warning']}" for _, r in warned.iterrows()]



def _bullets(md: list, page: list, title: str, suite: str, lines: list[str]) -> None:
    """A titled bullet list under a suite's table, in the markdown and the page alike."""
    if not lines:
        return
    md.append(f"{title} ({suite}):\n\n" + "\n".join(f"- {line}" for line in lines) + "\n")
    page.append(f"<p>{html.escape(title)}:</p><ul>"
                + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>")

def write_report(results: pd.DataFrame, out_dir: Path,
                 missing: list[tuple[str, str, str]] | None = None) -> None:
    """Write ``results.csv``, ``results.md``, ``<suite>.png`` and ``report.html``;
    ``missing`` lists the ``(suite, dataset, model)`` cells of the run without a figure,
    which the report names above the verdict (whose data sets are those that finished)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    table = summary_table(results)
    table.to_csv(out_dir / "results.csv", index=False)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    md = [f"# tsclassic bench\n\n{stamp}; {machine}\n"]
    page = [f"<h1>tsclassic bench</h1><p>{html.escape(stamp)}; {html.escape(machine)}</p>"]
    if missing:
        shown = set(zip(table["suite"], table["dataset"], table["model"])) if len(table) else set()
        lines = _missing_lines(missing, shown)
        md.append(f"## Cells that did not finish\n\n{len(missing)} cells of the run have no "
                  f"figure (the run was stopped, or the cell failed; see the log); the verdict "
                  f"below is on the cells that finished.\n\n"
                  + "\n".join(f"- {line}" for line in lines) + "\n")
        page.append(f"<h2>Cells that did not finish</h2><p>{len(missing)} cells of the run have "
                    f"no figure; the verdict below is on the cells that finished.</p><ul>"
                    + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>")
    if table.empty:
        md.append("No finished cells.\n")
        page.append("<p>No finished cells.</p>")
    else:
        found = verdicts(table)
        md.append("## Verdict\n\n" + "\n\n".join(found.values()) + "\n")
        page.append("<h2>Verdict</h2>" + "".join(f"<p>{html.escape(t)}</p>" for t in found.values()))
    for suite, rows in suite_tables(table).items():
        md.append(f"## {suite}\n\n{_markdown(rows)}\n")
        page.append(f"<h2>{html.escape(suite)}</h2>")
        page.append(rows.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep=""))
        cells = table[table["suite"] == suite]
        _bullets(md, page, "Published figures beside ours", suite, reference_lines(cells))
        _bullets(md, page, "Fits that warned", suite, warning_lines(cells))
        png = _plot(table[table["suite"] == suite], suite)
        if png is not None:
            (out_dir / f"{suite}.png").write_bytes(png)
            page.append(f'<img alt="{suite}" src="data:image/png;base64,'
                        f'{base64.b64encode(png).decode()}">')
    (out_dir / "results.md").write_text("\n".join(md))
    style = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;font-size:12px}"
             "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}"
             "img{max-width:100%;height:auto}")  # a wide plot fits the window
    (out_dir / "report.html").write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>tsclassic bench</title>"
        f"<style>{style}</style></head><body>{''.join(page)}</body></html>"
    )

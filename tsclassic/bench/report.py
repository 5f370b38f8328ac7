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
        keep = [c for c in rows.columns if rows[c].notna().any() and c != "suite"
                and not c.endswith("source")]
        tables[suite] = rows[keep].sort_values(["dataset", "model"]).reset_index(drop=True)
    return tables


def _plot(rows: pd.DataFrame, suite: str) -> bytes | None:
    metric, label = SUITE_METRIC.get(suite, (None, None))
    if metric not in rows.columns or rows[metric].notna().sum() == 0:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    seconds = rows["fit_time_s"].fillna(0) + rows["predict_time_s"].fillna(0)
    for family, marker in (("classical", "o"), ("deep", "s")):
        part = rows["family"] == family
        ax.scatter(seconds[part].clip(lower=1e-3), rows.loc[part, metric], marker=marker,
                   label=family, alpha=0.8)
        for x, y, text in zip(seconds[part], rows.loc[part, metric],
                              rows.loc[part, "model"] + " / " + rows.loc[part, "dataset"]):
            ax.annotate(text, (max(x, 1e-3), y), fontsize=6, alpha=0.7)
    ax.set_xscale("log")
    ax.set_xlabel("fit + predict time (s, log scale)")
    ax.set_ylabel(label)
    ax.set_title(f"{suite}: {label} against time")
    ax.legend()
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()


def write_report(results: pd.DataFrame, out_dir: Path) -> None:
    """Write ``results.csv``, ``results.md``, ``<suite>.png`` and ``report.html``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    table = summary_table(results)
    table.to_csv(out_dir / "results.csv", index=False)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    md = [f"# tsclassic bench\n\n{stamp}; {machine}\n"]
    page = [f"<h1>tsclassic bench</h1><p>{html.escape(stamp)}; {html.escape(machine)}</p>"]
    if table.empty:
        md.append("No finished cells.\n")
        page.append("<p>No finished cells.</p>")
    for suite, rows in suite_tables(table).items():
        md.append(f"## {suite}\n\n{_markdown(rows)}\n")
        page.append(f"<h2>{html.escape(suite)}</h2>")
        page.append(rows.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep=""))
        png = _plot(table[table["suite"] == suite], suite)
        if png is not None:
            (out_dir / f"{suite}.png").write_bytes(png)
            page.append(f'<img alt="{suite}" src="data:image/png;base64,'
                        f'{base64.b64encode(png).decode()}">')
    (out_dir / "results.md").write_text("\n".join(md))
    style = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;font-size:12px}"
             "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}")
    (out_dir / "report.html").write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>tsclassic bench</title>"
        f"<style>{style}</style></head><body>{''.join(page)}</body></html>"
    )

"""Pages built from the committed benchmark results, ``benchmarks/results/*.md``.

Every results file becomes a page of the site as it stands, and the guide's "choosing a
model" page gets its tables, sentences and figures computed from ``bench_full.md`` (the
bench of classical against deep models) when the site is built, so no figure is copied by
hand and a rerun of a benchmark shows on the next build.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

_UNITS = re.compile(r"^\s*([-+]?[0-9.]+(?:e[-+]?[0-9]+)?)\s*(x|%)?\s*$", re.IGNORECASE)


def _number(cell: str) -> float:
    match = _UNITS.match(cell.replace(",", ""))
    return float(match.group(1)) if match else np.nan


def read_tables(path: Path) -> dict[str, pd.DataFrame]:
    """Every Markdown table of a results file, keyed by the heading above it.

    Cells that read as numbers (``1.5``, ``12x``, ``3 %``, ``82,430``) become floats, others
    stay text. A second table under the same heading gets `` (2)`` appended to its key.
    """
    tables: dict[str, pd.DataFrame] = {}
    heading, block = "", []

    def flush():
        if len(block) >= 2:
            rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in block]
            frame = pd.DataFrame(rows[2:], columns=rows[0])
            for col in frame.columns:
                numbers = frame[col].map(_number)
                if numbers.notna().sum() == (frame[col] != "").sum() and numbers.notna().any():
                    frame[col] = numbers
            key = heading if heading not in tables else f"{heading} (2)"
            tables[key] = frame
        block.clear()

    for line in path.read_text().splitlines():
        if line.lstrip().startswith("|"):
            block.append(line)
            continue
        flush()
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
    flush()
    return tables


def _md_table(frame: pd.DataFrame, digits: int = 3) -> str:
    def fmt(v):
        if isinstance(v, float):
            return "" if np.isnan(v) else f"{v:.{digits}g}"
        return str(v)

    lines = ["| " + " | ".join(map(str, frame.columns)) + " |",
             "|" + "|".join("---" for _ in frame.columns) + "|"]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def _best(rows: pd.DataFrame, metric: str, higher: bool) -> pd.Series:
    ordered = rows.sort_values(metric, ascending=not higher)
    return ordered.iloc[0]


def _duel(table: pd.DataFrame, metric: str, higher: bool, extra: str = "") -> pd.DataFrame:
    """Per dataset: the best classical model against the best deep one, and their costs."""
    out = []
    for dataset, rows in table.groupby("dataset", sort=True):
        rows = rows[rows[metric].notna()]
        classical, deep = rows[rows.family == "classical"], rows[rows.family == "deep"]
        if classical.empty:
            continue
        c = _best(classical, metric, higher)
        row = {"dataset": dataset, "best classical": c.model, metric: c[metric],
               "fit (s)": c.fit_time_s}
        if not deep.empty:
            d = _best(deep, metric, higher)
            better = d[metric] > c[metric] if higher else d[metric] < c[metric]
            row.update({"best deep": d.model, f"{metric} (deep)": d[metric],
                        "fit (s) (deep)": d.fit_time_s, "winner": "deep" if better else "classical"})
        out.append(row)
    return pd.DataFrame(out)


def _model_summary(table: pd.DataFrame, metric: str, higher: bool) -> pd.DataFrame:
    """Per model: mean metric, datasets won (ties count for each), median fit time."""
    table = table[table[metric].notna()]
    best = table.groupby("dataset")[metric].transform("max" if higher else "min")
    table = table.assign(won=np.isclose(table[metric], best))
    summary = table.groupby(["model", "family"]).agg(
        datasets=("dataset", "nunique"), **{f"mean {metric}": (metric, "mean")},
        won=("won", "sum"), **{"median fit (s)": ("fit_time_s", "median")}).reset_index()
    return summary.sort_values(f"mean {metric}", ascending=not higher)


def _common_sets(table: pd.DataFrame, metric: str) -> list[str]:
    """The data sets on which every model of the table has a result: means over other sets
    would compare models on different data."""
    ran = table[table[metric].notna()]
    counts = ran.groupby("dataset")["model"].nunique()
    return sorted(counts[counts == ran["model"].nunique()].index)


def _sentence_duel(duel: pd.DataFrame, what: str) -> str:
    if "winner" not in duel:
        return f"No deep model was run on the {what} sets.\n"
    fought = duel[duel.winner.notna()]
    wins = int((fought.winner == "classical").sum())
    ratio = (fought["fit (s) (deep)"] / fought["fit (s)"]).median()
    return (f"On {wins} of the {len(fought)} {what} sets where both ran, the best classical model "
            f"scored at least as well as the best deep one; the deep model's fit took a median "
            f"{ratio:,.0f} times as long.\n")


def _figure(summary: pd.DataFrame, metric: str, label: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for family, marker in (("classical", "o"), ("deep", "s")):
        rows = summary[summary.family == family]
        ax.scatter(rows["median fit (s)"].clip(lower=1e-5), rows[f"mean {metric}"],
                   marker=marker, s=50, label=family)
        for _, r in rows.iterrows():
            ax.annotate(r.model, (max(r["median fit (s)"], 1e-5), r[f"mean {metric}"]),
                        fontsize=7, xytext=(4, 2), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel("median fit time per data set (s, log scale)")
    ax.set_ylabel(label)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def choosing_tables(results_dir: Path, out_dir: Path) -> dict[str, str]:
    """Markdown snippets for the "choosing a model" page, keyed by suite."""
    tables = read_tables(results_dir / "bench_full.md")
    snippets = {}
    specs = {"classification": ("accuracy", True, "UCR"),
             "forecasting": ("owa", False, "forecasting"),
             "generation": ("perplexity", False, "language")}
    for suite, (metric, higher, what) in specs.items():
        if suite not in tables:
            snippets[suite] = f"`bench_full.md` has no {suite} table.\n"
            continue
        table = tables[suite]
        direction = "higher" if higher else "lower"
        parts = [
            _sentence_duel(_duel(table, metric, higher), what),
            f"Best classical against best deep model per data set ({metric}, {direction} is "
            "better; fit time in seconds):\n",
            _md_table(_duel(table, metric, higher)),
        ]
        common = _common_sets(table, metric)
        if common:
            summary = _model_summary(table[table.dataset.isin(common)], metric, higher)
            figure = f"bench_{suite}.png"
            _figure(summary, metric, f"mean {metric} ({direction} is better)", out_dir / figure)
            parts += [
                f"Every model over the {len(common)} sets on which all of them ran "
                f"({', '.join(common)}): mean {metric}, the number of sets on which it was best, "
                "and its median fit time.\n",
                _md_table(summary),
                f"```{{figure}} /_generated/{figure}",
                f":alt: mean {metric} against median fit time of each {suite} model",
                "",
                f"Mean {metric} of each model against its median fit time over those sets, "
                "from `bench_full.md`.",
                "```",
            ]
        else:
            parts += ["No set was run with every model; every result:\n",
                      _md_table(table[["dataset", "model", "family", metric, "fit_time_s"]])]
        snippets[suite] = "\n".join([*parts, ""])
    return snippets


def _escape_html(text: str) -> str:
    """Keep a literal ``<s>`` (a sentence start token) from being read as an HTML tag."""
    parts = text.split("`")
    parts[::2] = [part.replace("<", "\\<") for part in parts[::2]]
    return "`".join(parts)


def generate(srcdir: Path, results_dir: Path) -> None:
    from apigen import write_if_changed

    generated = srcdir / "_generated"
    for suite, text in choosing_tables(results_dir, generated).items():
        write_if_changed(generated / f"choosing_{suite}.md", text)
    pages = srcdir / "benchmarks"
    names = []
    for path in sorted(results_dir.glob("*.md")):
        names.append(path.stem)
        write_if_changed(pages / path.name, _escape_html(path.read_text()))
    index = ["# Benchmark results", "",
             "The results files of `benchmarks/` as committed (`benchmarks/results/*.md`): each "
             "names its date, machine and command. The machine was shared with other jobs, so "
             "absolute times are noisy; ratios are from the same run.", "",
             "```{toctree}", ":maxdepth: 1", "", *names, "```", ""]
    write_if_changed(pages / "index.md", "\n".join(index))
    for stale in set(pages.glob("*.md")) - {pages / f"{n}.md" for n in [*names, "index"]}:
        stale.unlink()

"""Sphinx extension of the tsclassic site: every generated page is written when the build starts.

- ``api/``: the reference, one page per public module (:mod:`apigen`);
- ``benchmarks/`` and the "choosing a model" snippets: from ``benchmarks/results`` (:mod:`benchgen`);
- ``notebooks/``: the repository's ``notebooks/*.ipynb`` copied in (Sphinx reads only its
  source folder) and executed by myst-nb during the build, so git keeps them output-free;
- ``_generated/cli_*.md``: the ``tsclassic`` command's own ``--help`` text.

It also resolves a cross-reference to a name as the top-level namespace reaches it
(``tsclassic.SeasonalNaive``, or a bare ``SeasonalNaive`` from another module's page) to
the page that documents it, so that docstrings may use either form.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import shutil
from pathlib import Path

import apigen
import benchgen

ROOT = Path(__file__).resolve().parents[2]


def _notebook_title(path: Path) -> str:
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def copy_notebooks(srcdir: Path) -> None:
    target = srcdir / "notebooks"
    target.mkdir(exist_ok=True)
    sources = sorted((ROOT / "notebooks").glob("*.ipynb"))
    for source in sources:
        copy = target / source.name
        if not copy.exists() or copy.read_bytes() != source.read_bytes():
            shutil.copyfile(source, copy)
    for stale in set(target.glob("*.ipynb")) - {target / s.name for s in sources}:
        stale.unlink()
    lines = ["# Notebooks", "",
             "The notebooks of the repository's `notebooks/` folder, executed when this site was "
             "built. Each runs in a minute or less on a laptop; download one with the button at "
             "the top of its page.", ""]
    lines += [f"- [{_notebook_title(s)}]({s.stem}.ipynb)" for s in sources]
    lines += ["", "```{toctree}", ":hidden:", "", *[s.stem for s in sources], "```", ""]
    apigen.write_if_changed(target / "index.md", "\n".join(lines))


def cli_help(srcdir: Path) -> None:
    import argparse

    from tsclassic.cli import build_parser

    os.environ["COLUMNS"] = "88"  # argparse wraps to the terminal; fix the width of the page
    parser = build_parser()
    parts = [("tsclassic", parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            parts += [(f"tsclassic {name}", sub) for name, sub in action.choices.items()]
    text = []
    for title, sub in parts:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            sub.print_help()
        text += [f"### `{title}`", "", "```text", buffer.getvalue().rstrip(), "```", ""]
    apigen.write_if_changed(srcdir / "_generated" / "cli_help.md", "\n".join(text))


def generate(app) -> None:
    srcdir = Path(app.srcdir)
    apigen.generate(srcdir)
    benchgen.generate(srcdir, ROOT / "benchmarks" / "results")
    copy_notebooks(srcdir)
    cli_help(srcdir)


@functools.cache
def _documented_names() -> dict[str, str]:
    return apigen.documented_names()


def resolve_public_name(app, env, node, contnode):
    """A reference that failed: try the name as ``tsclassic`` exports it."""
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip("~")
    short = target.removeprefix("tsclassic.")
    full = _documented_names().get(short)
    if full is None or full == target:
        return None
    domain = env.get_domain("py")
    return domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], full, node,
                               contnode)


def setup(app):
    app.connect("builder-inited", generate)
    app.connect("missing-reference", resolve_public_name)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

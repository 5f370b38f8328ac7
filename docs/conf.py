"""Sphinx configuration of the tsclassic documentation (``make docs``)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))  # the checkout's tsclassic, installed or not

import tsclassic  # noqa: E402

project = "tsclassic"
author = "the tsclassic developers"
copyright = "the tsclassic developers"
release = version = tsclassic.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
    "tsclassic_docs",
]

exclude_patterns = ["_build", "_generated", "jupyter_execute", "**/.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# The reference: signatures as written (with type hints), numpydoc sections, methods shown
# by autodoc (numpydoc's own member tables would list them a second time).
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"exclude-members": "set_fit_request, set_predict_request, "
                           "set_score_request, set_transform_request, set_output, "
                           "get_metadata_routing"}
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# Every reference to a tsclassic name must resolve; names of other libraries cannot (the
# build reads no inventory from the network), so they are left as plain text.
nitpicky = True
nitpick_ignore_regex = [
    # private bases and helpers named in signatures are not documented, by design
    ("py:.*", r"tsclassic(\.\w+)*\._\w+(\.\w+)*"),
    ("py:.*", r"(numpy|np|pandas|pd|scipy|sklearn|torch|matplotlib|dask|joblib|numba|statsmodels"
              r"|collections|typing|argparse|pathlib|os|datetime)(\..*)?"),
    ("py:.*", r"(Any|Callable|Sequence|Iterable|Iterator|Mapping|Hashable|ClassVar|Literal|Self"
              r"|ArrayLike|NDArray|Path|PathLike|Axes|Figure|Module|Tensor|DataFrame|Series"
              r"|Index|ndarray|BaseEstimator)"),
]

# Notebooks: output-free in git, executed here; a cell that raises stops the build.
nb_execution_mode = "force"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3

html_theme = "pydata_sphinx_theme"
html_title = f"tsclassic {version}"
html_favicon = "_static/favicon.svg"
html_context = {"default_mode": "auto"}  # follow the reader's light or dark setting
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    # pages of wide tables get the width of the "on this page" column
    "secondary_sidebar_items": {
        "**": ["page-toc"], "api/estimators": [], "guide/choosing": [],
        **{f"benchmarks/{p.stem}": [] for p in (HERE.parent / "benchmarks" / "results").glob("*.md")},
    },
}
html_static_path = ["_static"]
html_css_files = ["tsclassic.css"]
html_sidebars = {"index": [], "api/estimators": []}
html_show_sourcelink = False
html_last_updated_fmt = None

"""The API reference, generated from the code at build time.

One page per public module of tsclassic (every module with an ``__all__``), its members in
``__all__`` order, and the table of every estimator by family with its capability tags from
:func:`tsclassic.all_estimators` and :func:`tsclassic.base.get_tags`. Nothing here names an
estimator: a class exported by a module on another branch appears once it is merged.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from pathlib import Path

import tsclassic
from tsclassic.base import Tags, get_tags

# The eight approaches come first in the reference, in the order the README gives them.
APPROACHES = (
    "timedomain", "spectral", "neighbors", "language", "arima", "decomposition", "dynamics", "ml",
)
# Members inherited from scikit-learn (get_params, score, set_output, metadata routing) are
# scikit-learn's to document; every other method, inherited from our bases or not, is shown.
_SKLEARN_BASES = "BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin, Exception"
_FAMILY_TITLES = {
    "forecaster": "Forecasters",
    "global": "Global forecasters (one model across a panel)",
    "trajectory": "Trajectory models (equations fitted to a multivariate trajectory)",
    "classifier": "Classifiers",
    "regressor": "Regressors",
    "transformer": "Transformers",
    "sequence": "Sequence models",
}


def public_modules() -> list[str]:
    """Every public module or subpackage of tsclassic that declares ``__all__``."""
    names = []
    for info in pkgutil.iter_modules(tsclassic.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"tsclassic.{info.name}")
        if getattr(module, "__all__", None):
            names.append(info.name)
    approaches = [n for n in APPROACHES if n in names]
    return approaches + sorted(n for n in names if n not in APPROACHES)


def _title(text: str, char: str = "=") -> list[str]:
    return [text, char * len(text), ""]


def _first_line(obj) -> str:
    doc = inspect.getdoc(obj) or ""
    return " ".join(doc.split("\n\n")[0].split())


def _directive(module: str, name: str, obj) -> list[str]:
    full = f"{module}.{name}"
    if inspect.isclass(obj):
        return [f".. autoclass:: {full}", "   :members:",
                f"   :inherited-members: {_SKLEARN_BASES}", ""]
    if callable(obj):
        return [f".. autofunction:: {full}", ""]
    return [f".. autodata:: {full}", "   :no-value:", ""]


def module_page(name: str) -> str:
    module_name = f"tsclassic.{name}"
    module = importlib.import_module(module_name)
    members = list(module.__all__)
    lines = _title(f"``{module_name}``")
    lines += [f".. automodule:: {module_name}", "   :no-members:", "",
              ".. autosummary::", "   :nosignatures:", ""]
    lines += [f"   {member}" for member in members] + [""]
    for member in members:
        lines += _directive(module_name, member, getattr(module, member))
    return "\n".join(lines)


def documented_names() -> dict[str, str]:
    """Public name (as reached from ``tsclassic``) -> the full name it is documented under."""
    found = {}
    for name in reversed(public_modules()):  # the first module exporting a name wins
        module = importlib.import_module(f"tsclassic.{name}")
        for member in module.__all__:
            found[member] = f"tsclassic.{name}.{member}"
    found.update(all_estimators="tsclassic.all_estimators",
                 estimator_family="tsclassic.estimator_family")
    return found


def estimator_table() -> str:
    """One table per family: every estimator, where it lives, and its tags."""
    where = documented_names()
    tag_names = [f.name for f in dataclasses.fields(Tags)]
    lines = []
    by_family: dict[str, list] = {}
    for name, cls in tsclassic.all_estimators():
        by_family.setdefault(tsclassic.estimator_family(cls), []).append((name, cls))
    for family in sorted(by_family, key=lambda f: list(_FAMILY_TITLES).index(f)):
        rows = by_family[family]
        lines += _title(f"{_FAMILY_TITLES[family]} ({len(rows)})", "-")
        tag_width = 40 // len(tag_names)
        widths = " ".join(["24", *[str(tag_width)] * len(tag_names), str(76 - 40)])
        lines += [".. list-table::", "   :header-rows: 1", f"   :widths: {widths}",
                  "   :class: tsclassic-estimators", "",
                  "   * - estimator (module)"]
        lines += [f"     - {tag.replace('_', ' ')}" for tag in tag_names] + ["     - summary"]
        for name, cls in rows:
            full = where.get(name, f"{cls.__module__}.{name}")
            tags = get_tags(cls)
            lines += [f"   * - :class:`~{full}`", "", f"       ``{full.rsplit('.', 1)[0]}``"]
            lines += ["     - \u2713" if getattr(tags, tag) else "     - " for tag in tag_names]
            lines.append(f"     - {_first_line(cls) or ' '}")
        lines.append("")
    return "\n".join(lines)


def api_index(modules: list[str]) -> str:
    lines = _title("API reference")
    lines += [
        "Generated from the docstrings at build time: one page per module, each listing the",
        "names in the module's ``__all__``. Every name is also reachable from the top-level",
        "``tsclassic`` namespace (``tsclassic.SeasonalNaive``).", "",
        ".. toctree::", "   :maxdepth: 1", "   :caption: Overview", "",
        "   estimators", "   tsclassic", "",
        ".. toctree::", "   :maxdepth: 1", "   :caption: The eight approaches", "",
    ]
    lines += [f"   {m}" for m in modules if m in APPROACHES]
    lines += ["", ".. toctree::", "   :maxdepth: 1", "   :caption: Around them", ""]
    lines += [f"   {m}" for m in modules if m not in APPROACHES] + [""]
    return "\n".join(lines)


def top_level_page() -> str:
    lines = _title("``tsclassic``")
    lines += [".. automodule:: tsclassic", "   :no-members:", "",
              ".. autofunction:: tsclassic.all_estimators", "",
              ".. autofunction:: tsclassic.estimator_family", ""]
    return "\n".join(lines)


def estimators_page() -> str:
    tag_doc = ", ".join(f"``{f.name}``" for f in dataclasses.fields(Tags))
    lines = _title("All estimators")
    lines += [
        "Every estimator :func:`tsclassic.all_estimators` returns, by family, with its",
        f"capability tags ({tag_doc}; see :class:`tsclassic.base.Tags`) as",
        ":func:`tsclassic.base.get_tags` reads them: generated at build time from the code.", "",
        estimator_table(),
    ]
    return "\n".join(lines)


def member_list(module_name: str) -> str:
    """A MyST bullet list of a module's public names with their one-line summaries."""
    module = importlib.import_module(module_name)
    lines = []
    for member in module.__all__:
        obj = getattr(module, member)
        role = "class" if inspect.isclass(obj) else "func" if callable(obj) else "data"
        summary = _first_line(obj) if (inspect.isclass(obj) or callable(obj)) else ""
        lines.append(f"- {{py:{role}}}`~{module_name}.{member}`" + (f": {summary}" if summary else ""))
    return "\n".join(lines) + "\n"


def write_if_changed(path: Path, text: str) -> None:
    """Write only on change, so that an unchanged page is not read again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def generate(srcdir: Path) -> None:
    modules = public_modules()
    api = srcdir / "api"
    write_if_changed(api / "index.rst", api_index(modules))
    write_if_changed(api / "tsclassic.rst", top_level_page())
    write_if_changed(api / "estimators.rst", estimators_page())
    for name in modules:
        write_if_changed(api / f"{name}.rst", module_page(name))
        write_if_changed(srcdir / "_generated" / f"members_{name}.md",
                         member_list(f"tsclassic.{name}"))
    stale = {p for p in api.glob("*.rst")} - {api / f"{n}.rst" for n in
                                               [*modules, "index", "tsclassic", "estimators"]}
    for path in stale:
        path.unlink()

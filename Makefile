# Entry points, each working on a fresh machine with only Python, pip and gcc:
#   make demo   set up .venv and run the main job (tsclassic bench --quick) on the shipped data
#   make test   set up .venv with the dev extras and run every test, doctest and notebook
#   make docs   set up .venv with the docs extra and build the site into docs/_build/html
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# torch is pinned to the CPU build (an unpinned torch pulls a multi-GB CUDA build).
TORCH := torch==2.13.0

.PHONY: demo test bench-env lint clean docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet $(TORCH)
	$(BIN)/pip install --quiet -e ".[deep,plot]"
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet $(TORCH)
	$(BIN)/pip install --quiet -e ".[deep,dask,plot,dev]"
	touch $@

demo: $(VENV)/.demo-installed
	$(BIN)/tsclassic bench --quick --out bench_out

test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -n 2 --doctest-modules tsclassic tests --nbmake notebooks

# The documentation site: API reference, guide and the notebooks executed, warnings as errors;
# -E rereads every page, so a warning is never hidden by an earlier build.
$(VENV)/.docs-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet $(TORCH)
	$(BIN)/pip install --quiet -e ".[deep,dask,plot,docs]"
	touch $@

docs: $(VENV)/.docs-installed
	$(BIN)/python -m sphinx -b html -E -W --keep-going -j auto docs docs/_build/html

# The benchmarks compare against peer libraries (aeon, statsforecast, tsfresh, ...), which
# pin their own versions: they get an environment of their own, .venv-bench.
.venv-bench/.installed: pyproject.toml
	$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet --upgrade pip
	.venv-bench/bin/pip install --quiet $(TORCH)
	.venv-bench/bin/pip install --quiet -e ".[deep,dask,plot,peers]"
	touch $@

bench-env: .venv-bench/.installed

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check tsclassic tests benchmarks

clean:
	rm -rf $(VENV) .venv-bench bench_out .pytest_cache
	rm -rf docs/_build docs/_generated docs/api docs/notebooks docs/benchmarks docs/jupyter_execute

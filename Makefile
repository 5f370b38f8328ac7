# Two entry points, each working on a fresh machine with only Python, pip and gcc:
#   make demo   set up .venv and run the main job (tsclassic bench --quick) on the shipped data
#   make test   set up .venv with the dev extras and run every test, doctest and notebook
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# torch is pinned to the CPU build (an unpinned torch pulls a multi-GB CUDA build).
TORCH := torch==2.13.0

.PHONY: demo test bench-env lint clean

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

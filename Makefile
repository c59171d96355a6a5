# edgefx: `make demo` runs the pipeline on built-in defaults, `make test` runs the test suite.
# Both do their own set-up: Debian packages (via apt, when missing) and a Python venv in .venv.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.edgefx-installed
APT_PACKAGES := gcc make gcc-arm-none-eabi libnewlib-arm-none-eabi gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
  qemu-system-arm qemu-user
JOBS   ?= 2

.PHONY: setup demo test lint bench clean apt

# The Debian check runs every time (0.1 s when nothing is missing), so a package added to the list
# reaches existing checkouts; the stamp tracks only the Python dependencies.
setup: apt $(STAMP)

apt:
	@bash tools/ensure-apt.sh $(APT_PACKAGES)

$(STAMP): pyproject.toml | apt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	@echo "== installing torch==2.13.0 first (CPU build), then edgefx and its dependencies"
	$(PY) -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# The demo's own output folder: a second `make demo` replaces the first one's demo-out/.
demo: setup
	$(VENV)/bin/edgefx demo --force

test: setup
	$(PY) -m pytest -n $(JOBS) -q --durations=15

lint: setup
	$(VENV)/bin/ruff check edgefx tests benchmarks

# The quick benchmarks (minutes); bench_training.py and bench_antialias.py take much longer.
bench: setup
	$(PY) benchmarks/bench_cpu.py
	$(PY) benchmarks/bench_pedals.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

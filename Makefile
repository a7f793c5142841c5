# Two entry points that work on a fresh machine with only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck bench browser proxy clean

$(STAMP): pyproject.toml plugins/isolation-harness-html/pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e plugins/isolation-harness-html
	touch $(STAMP)

# The main job: a campaign against the Dispatch example API with every isolation bug switched on,
# in-process. It prints each finding and writes isolation-report.json and isolation-report.html;
# it exits 0 on purpose.
demo: $(STAMP)
	DISPATCH_VULNERABILITIES=all $(BIN)/python -m isolation_harness run \
		--schema examples.dispatch_api:app \
		--config examples/dispatch_api/isolation.toml \
		--report-json isolation-report.json --report-html isolation-report.html --exit-zero

lint: $(STAMP)
	$(BIN)/ruff check isolation_harness examples plugins tests
	$(BIN)/ruff format --check isolation_harness examples plugins tests

typecheck: $(STAMP)
	$(BIN)/mypy

# The fast unit layer first (it stops a broken change in seconds), then everything else on two workers.
test: $(STAMP) browser proxy lint typecheck
	$(BIN)/python -m pytest -q tests/unit
	$(BIN)/python -m pytest -q -n 2 --ignore=tests/unit -m "not slow"

# Debian's Chromium and its driver, for the HTML report's browser test (apt-get as root, else sudo).
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		sudo=; if [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null; then sudo=sudo; fi; \
		export DEBIAN_FRONTEND=noninteractive; \
		$$sudo apt-get install -y -q chromium chromium-driver \
			|| { $$sudo apt-get update -q && $$sudo apt-get install -y -q chromium chromium-driver; }; \
	fi

# Debian's nginx, the shared cache the detection tests put in front of an API (apt-get as root, else sudo).
proxy:
	@if [ ! -x /usr/sbin/nginx ]; then \
		sudo=; if [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null; then sudo=sudo; fi; \
		export DEBIAN_FRONTEND=noninteractive; \
		$$sudo apt-get install -y -q nginx \
			|| { $$sudo apt-get update -q && $$sudo apt-get install -y -q nginx; }; \
	fi

# The benchmarks, then the long campaigns `make test` leaves out (marked slow).
bench: $(STAMP) browser proxy
	$(BIN)/python -m pytest -q -s tests/benchmarks -o python_files='bench_*.py' -p no:cacheprovider
	$(BIN)/python -m pytest -q -n 2 -m slow -p no:cacheprovider

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache

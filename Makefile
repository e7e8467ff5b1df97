# Docket's build, test and demo entry points. `make demo` and `make test` work on a fresh
# Debian 12 machine with the Swift toolchain on PATH: both run `setup` first.

SWIFT ?= swift
PYTHON ?= python3
VENV := .venv
# Debian packages: the four C libraries Docket links, the tools the tests use to read
# Docket's output independently (GNU tar, bsdtar, zstd, ssh-keygen, Python for the fake API,
# systemd-analyze for the generated units, promtool from prometheus for the metrics file),
# and what `make bench` measures with (GNU time for peak memory, git for the baseline).
# Installed without recommended packages, which would add prometheus-node-exporter.
APT_PACKAGES := libsqlite3-dev libarchive-dev libssl-dev zlib1g-dev libarchive-tools tar zstd openssh-client \
	python3 python3-venv sqlite3 systemd prometheus time git
# PyPI packages the tests use as independent implementations (BagIt validator, JSON Patch).
PIP_PACKAGES := bagit==1.8.1 jsonpatch==1.33
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DOCKET := .build/debug/docket

# Benchmarks measure an optimized build; BENCH_DIR holds the synthetic account, the store and
# the git baseline (several GB for `make bench`).
BENCH_DIR ?= .bench

.PHONY: setup build test demo report-png bench bench-quick release clean

setup: .setup-done

.setup-done: Makefile
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@[ -x $(VENV)/bin/python ] || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check $(PIP_PACKAGES)
	@touch .setup-done

build: setup
	$(SWIFT) build

test: build
	$(VENV)/bin/python -m unittest discover -s Tests/fake
	DOCKET_PYTHON=$(CURDIR)/$(VENV)/bin/python $(SWIFT) test

demo: build
	DOCKET_PYTHON=$(CURDIR)/$(VENV)/bin/python ./scripts/demo.sh

release: setup
	$(SWIFT) build -c release

# The full benchmark (2,000 apps, 90 daily captures); see BENCHMARKS.md for its figures.
bench: release
	$(PYTHON) bench/run.py --preset full --docket .build/release/docket --work $(BENCH_DIR)/full

# A small account over 12 days, in under two minutes.
bench-quick: release
	$(PYTHON) bench/run.py --preset quick --docket .build/release/docket --work $(BENCH_DIR)/quick

# Renders the demo bundle's report (data/index.html) to Exports/report.png with headless
# Chromium, to check it in a real browser. Chromium is large, so only this target installs it.
report-png: demo
	@command -v chromium >/dev/null 2>&1 || { echo "installing Debian package: chromium"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium; }
	./scripts/report-png.sh Exports/docket-acme-2026-03.tar.gz Exports/report.png

clean:
	rm -rf .build .setup-done Exports/demo $(BENCH_DIR)

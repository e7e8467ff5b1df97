# Docket's build, test and demo entry points. `make demo` and `make test` work on a fresh
# Debian 12 machine with the Swift toolchain on PATH: both run `setup` first.

SWIFT ?= swift
PYTHON ?= python3
VENV := .venv
# Debian packages: the three C libraries Docket links, and the tools the tests use to read
# Docket's output independently (GNU tar, bsdtar, zstd, ssh-keygen, Python for the fake API,
# systemd-analyze for the generated units, promtool from prometheus for the metrics file).
# Installed without recommended packages, which would add prometheus-node-exporter.
APT_PACKAGES := libsqlite3-dev libarchive-dev libssl-dev libarchive-tools tar zstd openssh-client \
	python3 python3-venv sqlite3 systemd prometheus
# PyPI packages the tests use as independent implementations (BagIt validator, JSON Patch).
PIP_PACKAGES := bagit==1.8.1 jsonpatch==1.33
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DOCKET := .build/debug/docket

.PHONY: setup build test demo clean

setup: .setup-done

.setup-done:
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

clean:
	rm -rf .build .setup-done Exports/demo

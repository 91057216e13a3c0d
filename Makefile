# Two entry points (see README): `make repro` runs the pipeline, `make test` runs the tests.
# Both create .venv when missing and install medbench (editable) with its pinned dependencies into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: repro test perf lint system-data install clean-venv

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) system-data

# Debian's dataset-fashion-mnist is the offline mirror of Fashion-MNIST; without it medbench downloads upstream.
system-data:
	@if [ ! -d /usr/share/datasets/fashion-mnist ] && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null; \
	fi

.dvc/config:
	test -d .git || git init -q
	$(BIN)/dvc init -q

repro: install .dvc/config
	$(BIN)/dvc repro

test: install
	$(BIN)/python -m pytest

perf: install
	$(BIN)/python -m pytest -m perf

lint: install
	$(BIN)/ruff check benchmark tests
	$(BIN)/ruff format --check benchmark tests

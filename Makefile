# Stride: the two Quick start commands are `make serve` and `make test`.
# Everything runs inside .venv so the system Python stays untouched.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The PyTorch CPU wheel the tests need lies in /opt/wheels on our machines; without it pip would
# fetch a multi-GB CUDA build, so point pip there when it exists.
PIP_LOCAL := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)

.PHONY: serve build check test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(PIP_LOCAL) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(PIP_LOCAL) -e '.[test]'
	touch $@ $(VENV)/.installed

serve: $(VENV)/.installed
	$(BIN)/stride serve

build: $(VENV)/.installed
	$(BIN)/stride build

check: $(VENV)/.installed
	$(BIN)/stride check

test: $(VENV)/.installed-test
	bash scripts/ensure-chromium
	bash scripts/ensure-vnu
	bash scripts/ensure-axe
	$(BIN)/python -m pytest -q

bench: $(VENV)/.installed-test
	bash scripts/ensure-chromium
	$(BIN)/python -m bench

clean:
	rm -rf build .stride-cache artifacts

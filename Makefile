# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR := output/demo

.PHONY: demo docs test lint system clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

system: $(VENV)/.installed
	$(BIN)/python -m paperfit.doctor

demo: system
	$(BIN)/paperfit demo -o $(DEMO_DIR)

# The pictures in docs/, drawn from the demo's files by the current code.
docs: demo
	$(BIN)/python docs/pictures.py $(DEMO_DIR)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: system $(VENV)/.installed-test lint
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) output/demo

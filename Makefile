# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_QUERY := داعش واشنطن

.PHONY: demo test lint bench-quality bench-speed clean

$(BIN)/arshif: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.dev: $(BIN)/arshif
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

demo: $(BIN)/arshif
	$(BIN)/arshif index data
	$(BIN)/arshif search "$(DEMO_QUERY)"

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

bench-quality: $(VENV)/.dev
	$(BIN)/python bench/quality.py

bench-speed: $(VENV)/.dev
	$(BIN)/python bench/speed.py

clean:
	rm -rf $(VENV) *.egg-info

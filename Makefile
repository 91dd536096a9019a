# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_QUERY := داعش واشنطن

.PHONY: demo serve test screenshots bench-quality bench-speed bench-load clean

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

serve: $(BIN)/arshif
	$(BIN)/arshif serve

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

# The README's images, as the browser test draws them (needs Debian's chromium).
SHOTS := test-artifacts/browser
screenshots: $(VENV)/.dev
	ARSHIF_SCREENSHOTS=$(SHOTS) $(BIN)/python -m pytest -q tests/test_browser.py
	mkdir -p docs/screenshots
	cp $(SHOTS)/results.png $(SHOTS)/article.png $(SHOTS)/phone-results.png docs/screenshots/

bench-quality: $(VENV)/.dev
	$(BIN)/python bench/quality.py

bench-speed: $(VENV)/.dev
	$(BIN)/python bench/speed.py

bench-load: $(VENV)/.dev
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) *.egg-info

# One command each for a fresh machine that has only Python and pip: the targets create the
# virtual environment and install everything themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT := demo-output

.PHONY: demo test lint bench sample clean install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/flowscore compute sample_data/haishu-2019 --out $(DEMO_OUT) --force \
		--compare sample_data/haishu-2018-results || [ $$? -eq 1 ]
	$(BIN)/flowscore rank $(DEMO_OUT)/results.json

test: $(STAMP)
	$(BIN)/python -m pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check flowscore tests scripts
	$(BIN)/ruff format --check flowscore tests scripts
	$(BIN)/mypy

sample: $(STAMP)
	$(BIN)/python scripts/make_sample_data.py
	$(BIN)/python scripts/make_previous_year.py
	$(BIN)/python scripts/make_sample_docx.py

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) $(DEMO_OUT) flowscore-output build dist *.egg-info

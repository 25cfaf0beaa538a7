# Two commands set everything up on a fresh machine:
#   make lab   - create .venv, install lrcourse with the course tools, open JupyterLab
#   make test  - create .venv, install lrcourse with the test tools, run the whole test suite
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test test-fast browser screenshot venv lint format bench compare clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e ".[course,dev]"
	@touch $(STAMP)

venv: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. $(if $(filter 0,$(shell id -u)),--allow-root,)

test: $(STAMP)
	sh scripts/install_browser.sh
	sh scripts/install_sandbox.sh
	TF_CPP_MIN_LOG_LEVEL=3 $(BIN)/python -m pytest -q

test-fast: $(STAMP)
	TF_CPP_MIN_LOG_LEVEL=3 $(BIN)/python -m pytest -q -m "not slow"

browser: $(STAMP)
	sh scripts/install_browser.sh
	$(BIN)/python -m pytest -q -s tests/browser

screenshot: $(STAMP)
	sh scripts/install_browser.sh
	$(BIN)/python scripts/readme_screenshot.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python benchmarks/optimizer_step.py
	$(BIN)/python benchmarks/train_throughput.py

compare: $(STAMP)
	$(BIN)/lrcourse compare

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info

# Course pipeline (nbgrader 0.9, configured in course/nbgrader_config.py):
#   make release - clean source_notebooks/ (outputs, widget state) and regenerate release/
#   make grade   - autograde course/submitted/ in parallel (what changed; ARGS=--force: all),
#                  write course/feedback/ and course/grades.csv
.PHONY: release grade

release: $(STAMP)
	TF_CPP_MIN_LOG_LEVEL=3 $(BIN)/python scripts/release_assignments.py

grade: $(STAMP)
	sh scripts/install_sandbox.sh
	TF_CPP_MIN_LOG_LEVEL=3 $(BIN)/python scripts/grade_submissions.py $(ARGS)

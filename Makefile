# Two commands set everything up on a fresh machine:
#   make lab   - create .venv, install lrcourse with the course tools, open the learner's
#                JupyterLab on work/ (filled from release/; edits are never overwritten)
#   make test  - create .venv, install lrcourse with the test tools, run the whole test suite
#
# The interpreter for .venv: PYTHON=/path/to/python if given (make test PYTHON=python3.13),
# else the first of python3.11, python3.12, python3.13, python3 on the PATH that runs and is
# a supported version (3.11 to 3.13; a pyenv shim of an inactive version does not run).
SUPPORTED_PYTHONS := python3.11 python3.12 python3.13 python3
PYTHON_OK := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))
ifeq ($(origin PYTHON),undefined)
PYTHON := $(firstword $(foreach p,$(SUPPORTED_PYTHONS),$(shell $(p) -c '$(PYTHON_OK)' >/dev/null 2>&1 && command -v $(p))))
endif
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test test-fast browser screenshot venv lint format bench compare clean which-python

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { \
	  test -n "$(PYTHON)" && $(PYTHON) -c '$(PYTHON_OK)' 2>/dev/null || { \
	    echo "make: need Python 3.11, 3.12 or 3.13: none of $(SUPPORTED_PYTHONS) on the PATH is one$(if $(PYTHON), (PYTHON=$(PYTHON) is not))."; \
	    echo "      Install one, or point PYTHON= at it: make $(or $(MAKECMDGOALS),venv) PYTHON=/path/to/python3.12"; \
	    exit 2; }; \
	  echo "creating $(VENV) with $(PYTHON) ($$($(PYTHON) -c 'import platform; print(platform.python_version())'))"; \
	  $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e ".[course,dev]"
	@touch $(STAMP)

venv: $(STAMP)

which-python:
	@echo $(or $(PYTHON),none)

ALLOW_ROOT = $(if $(filter 0,$(shell id -u)),--allow-root,)

# The learner view: the workspace work/ is the server's root; no instructor tools.
lab: $(STAMP)
	$(BIN)/python scripts/learner_workspace.py
	JUPYTER_CONFIG_PATH="$(CURDIR)/course/views/learner" \
	  $(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)/work" $(ALLOW_ROOT)

test: $(STAMP)
	sh scripts/install_browser.sh
	sh scripts/install_sandbox.sh
	TF_CPP_MIN_LOG_LEVEL=3 $(BIN)/python -m pytest -q -n 2 --dist loadfile --durations=25

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

.PHONY: instructor hub-setup hub-users hub-grade hub

# The instructor view: JupyterLab on the repository with Formgrader and Create Assignment
# (nbgrader runs .venv's `alembic` when Formgrader creates the gradebook: hence PATH).
instructor: $(STAMP)
	cd course && PATH="$(CURDIR)/$(BIN):$$PATH" JUPYTER_CONFIG_PATH="$(CURDIR)/course/views/instructor" \
	  "$(CURDIR)/$(BIN)/jupyter" lab --ServerApp.root_dir="$(CURDIR)" $(ALLOW_ROOT)

# The class hub on this machine (course/hub/README.md). As root:
#   make hub-setup                           - proxy (npm), exchange, shared Python
#   make hub-users STUDENTS="ana ben" INSTRUCTOR=teacher  - system users and passwords
#   make hub                                 - JupyterHub on http://127.0.0.1:8000
HUB_PORT ?= 8000
hub-setup: $(STAMP)
	$(BIN)/python course/hub/hub_setup.py install

hub-users: $(STAMP)
	$(BIN)/python course/hub/users.py add $(if $(INSTRUCTOR),--instructor $(INSTRUCTOR),) $(STUDENTS)

# make grade for the hub's course (as root: each submission sandboxed under its own uid)
hub-grade: $(STAMP)
	sh scripts/install_sandbox.sh
	$(BIN)/python course/hub/hub_setup.py grade $(ARGS)

hub: hub-setup
	$(BIN)/python course/hub/hub_setup.py check --port $(HUB_PORT)
	cd course/hub && LRCOURSE_HUB_PORT=$(HUB_PORT) "$(CURDIR)/$(BIN)/jupyterhub" -f jupyterhub_config.py

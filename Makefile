# annex: two commands do everything on a fresh Debian machine: `make annex` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
LOCK_VENV := .venv-lock
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEBS := fonts-noto-cjk fonts-dejavu-core libharfbuzz-subset0 poppler-utils
ARGS ?=

.PHONY: annex check export serve test fonts soffice chromium bench bench-serve fuzz lock clean distclean

annex: $(STAMP) fonts ## set up, then build the latest year's bundle
	$(BIN)/annex build $(ARGS)

check: $(STAMP) ## set up, then validate the latest year's data
	$(BIN)/annex check $(ARGS)

export: $(STAMP) ## set up, then write the year's data as a workbook to fill (ARGS="--year 2024" for a new year)
	$(BIN)/annex export $(ARGS)

serve: $(STAMP) fonts ## set up as for make annex, then the web pages on http://127.0.0.1:8000 (ARGS="--host 0.0.0.0" for the LAN)
	$(BIN)/annex serve $(ARGS)

test: $(STAMP) fonts ## set up, then run the test suite
	$(BIN)/python -m pytest $(ARGS)

# The exact versions of requirements.lock (with their hashes), so that a fresh machine reproduces
# today's bytes; then annex itself, whose ranges in pyproject.toml the lock satisfies.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check || { echo "pyproject.toml 的依赖不在 $(LOCK) 里：请运行 make lock"; exit 1; }
	touch $@

# After changing a dependency in pyproject.toml: the lock again, keeping the versions it pins where
# the ranges still allow them (ARGS=--upgrade for the newest). pip-tools lives in a venv of its own.
lock: ## regenerate requirements.lock from pyproject.toml (exact versions with hashes)
	test -x $(LOCK_VENV)/bin/python || $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet pip-tools
	$(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --extra test --strip-extras --no-emit-index-url \
	  --no-emit-find-links --output-file $(LOCK) $(ARGS) pyproject.toml

# CJK fonts for the PDF, DejaVu for the checkbox marks, and harfbuzz's subsetter (9x faster than fontTools).
fonts:
	@dpkg -s $(DEBS) >/dev/null 2>&1 || { \
	  echo "安装字体与 libharfbuzz-subset0 …"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(DEBS) >/dev/null; }

# LibreOffice: Writer for the test that opens the Word bundle and `make bench`'s comparison route, Calc to
# re-save test workbooks as a second real writer would.
soffice:
	@{ command -v soffice && test -e /usr/lib/libreoffice/program/libsclo.so; } >/dev/null 2>&1 || { \
	  echo "安装 libreoffice-writer-nogui libreoffice-calc-nogui …"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libreoffice-writer-nogui libreoffice-calc-nogui >/dev/null; }

# Debian's chromium, which the browser tests drive with Playwright (Playwright's own browser download
# needs a network these machines do not have).
chromium:
	@test -x /usr/bin/chromium || { \
	  echo "安装 chromium …"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

bench: $(STAMP) fonts soffice ## compare annex with the docxtpl + LibreOffice route
	$(BIN)/python -m tests.bench $(ARGS)
	$(BIN)/python -m tests.bench.serve

bench-serve: $(STAMP) fonts soffice ## the server alone: a one-figure rebuild through it against --watch, 20 clerks while two builds run
	$(BIN)/python -m tests.bench.serve $(ARGS)

fuzz: $(STAMP) fonts ## a longer fuzz run than CI's
	ANNEX_FUZZ_EXAMPLES=2000 ANNEX_FUZZ_BUILD_EXAMPLES=200 $(BIN)/python -m pytest tests/test_fuzz.py \
	  tests/test_hostile.py -k "never_crash or generated" -p no:cacheprovider $(ARGS)

# Removes the year outputs; never build/archive/ (every issued version) nor its head record's copy,
# nor build/<year>.已修改-<时间>/ (the user's files set aside).
clean:
	@if [ -d build ]; then find build -mindepth 1 -maxdepth 1 ! -name archive ! -name '*.已修改-*' ! -name '.*.archive-head.json' -exec rm -rf {} +; fi

distclean: clean
	rm -rf $(VENV) $(LOCK_VENV) *.egg-info .pytest_cache

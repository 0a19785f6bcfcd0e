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
.DEFAULT_GOAL := annex

.PHONY: annex check export serve test fonts soffice chromium bench bench-serve fuzz lock clean distclean help

# `make annex ARGS=--note "报送财政局"`: the shell splits the unquoted value, and make takes 报送财政局 as a
# target of its own, after it has run `annex build --note` without one. Any goal no rule of this Makefile
# names is refused before anything runs, with the form that works.
KNOWN_GOALS := $(STAMP) $(shell sed -n 's/^\([A-Za-z0-9_.-]*\):.*/\1/p' $(firstword $(MAKEFILE_LIST)))
STRAY_GOALS := $(filter-out $(KNOWN_GOALS),$(MAKECMDGOALS))
ifneq ($(STRAY_GOALS),)
$(error 「$(STRAY_GOALS)」不是 make 的目标。给 annex 的参数要整个写在 ARGS 里，含空格时用单引号括起来，例如：make $(or $(filter-out $(STRAY_GOALS),$(MAKECMDGOALS)),annex) ARGS='$(ARGS) "$(STRAY_GOALS)"'。可用的目标：make help)
endif

help: ## 列出可用的目标
	@echo "用法：make 目标 [ARGS='给 annex 的参数']，例如 make annex ARGS='--note \"报送财政局\"'"
	@sed -n 's/^\([a-z-]*\):.*## \(.*\)/  make \1\t\2/p' $(firstword $(MAKEFILE_LIST)) | expand -t 20

annex: $(STAMP) fonts ## 安装（第一次），然后生成最新年度的汇编
	$(BIN)/annex build $(ARGS)

check: $(STAMP) ## 检查最新年度的数据，列出所有问题
	$(BIN)/annex check $(ARGS)

export: $(STAMP) ## 把年度数据导出为一个待填写的工作簿（新年度：ARGS='--year 2024'）
	$(BIN)/annex export $(ARGS)

serve: $(STAMP) fonts ## 在本机打开网页版 http://127.0.0.1:8000（局域网：ARGS='--host 0.0.0.0'）
	$(BIN)/annex serve $(ARGS)

test: $(STAMP) fonts ## 运行全部测试
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
lock: ## 维护人员用：按 pyproject.toml 重新生成 requirements.lock（精确版本与哈希）
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

bench: $(STAMP) fonts soffice ## 测速：与 docxtpl + LibreOffice 的做法比较
	$(BIN)/python -m tests.bench $(ARGS)
	$(BIN)/python -m tests.bench.serve

bench-serve: $(STAMP) fonts soffice ## 测速：网页服务（经由服务器改一个数后重新生成、20 人同时访问）
	$(BIN)/python -m tests.bench.serve $(ARGS)

fuzz: $(STAMP) fonts ## 比 CI 更长的随机测试
	ANNEX_FUZZ_EXAMPLES=2000 ANNEX_FUZZ_BUILD_EXAMPLES=200 $(BIN)/python -m pytest tests/test_fuzz.py \
	  tests/test_hostile.py -k "never_crash or generated" -p no:cacheprovider $(ARGS)

# `annex clean`: deletes the year outputs annex wrote and recorded; a file changed or added there is
# moved to build/<year>.已修改-<时间>/, as a rebuild does. Never build/archive/ nor the kept edits.
clean: ## 删除 build/ 里生成的年度输出（改动过的文件移到「.已修改-」文件夹，归档不动）
	@if [ -d build ]; then $(MAKE) --no-print-directory $(STAMP) && $(BIN)/annex clean --out build; \
	else echo "没有 build/ 文件夹，无需清理"; fi

distclean: clean ## 另外删除 .venv（下次 make annex 重新安装）
	rm -rf $(VENV) $(LOCK_VENV) *.egg-info .pytest_cache

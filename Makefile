# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out/demo

.PHONY: demo test test-fast lint install samples bench schemas docs village-reports screenshots clean

$(STAMP): pyproject.toml tools/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,docs]' -e tools
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/jicui check data/samples --as-of 2023-12-31 --out $(OUT)
	$(BIN)/jicui report data/samples --as-of 2023-12-31 --cadence year --out $(OUT)
	@echo "核查结果：$(OUT)/findings.xlsx  $(OUT)/findings.csv"
	@echo "年总结：$(OUT)/年总结_2023-12-31.html  .xlsx  .docx"
	$(BIN)/python -m jicui_samples.history --from data/samples --out $(OUT)/history
	rm -f $(OUT)/专项行动.duckdb
	$(BIN)/jicui ingest $(OUT)/history/第1周 --store $(OUT)/专项行动.duckdb --received 2023-12-15
	$(BIN)/jicui ingest $(OUT)/history/第2周 --store $(OUT)/专项行动.duckdb --received 2023-12-22
	$(BIN)/jicui ingest $(OUT)/history/第3周 --store $(OUT)/专项行动.duckdb --received 2023-12-29
	$(BIN)/jicui history --store $(OUT)/专项行动.duckdb
	$(BIN)/jicui diff --store $(OUT)/专项行动.duckdb --out $(OUT)/对比
	$(BIN)/jicui report --store $(OUT)/专项行动.duckdb --cadence week --out $(OUT)
	@echo "三周报送的数据库：$(OUT)/专项行动.duckdb（jicui history --store … 查看版本）"
	@echo "第2周→第3周对比：$(OUT)/对比/对比_第2次_第3次.html  .xlsx（计划的变化见 $(OUT)/history/manifest.json）"
	@echo "含与上期对比的周调度表：$(OUT)/周调度表_2023-12-29.html  .xlsx  .docx"

# the gates (ruff, mypy), then unit tests, rule fixtures, the -W docs build (tests/test_docs.py)
# and the notebooks (nbval), in one run on every core: a test file stays whole on one worker, so its
# module fixtures are built once, and a notebook's cells run in order in one kernel (--dist loadscope);
# the longest modules first (tests/conftest.py LONGEST_FIRST)
test: lint
	$(BIN)/python -m pytest -q -n auto --dist loadscope --no-loadscope-reorder --nbval-lax tests notebooks

# while working: the unit and rule tests only (no docs, notebooks, reports or generated towns), on every core
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" -n auto --dist loadscope --no-loadscope-reorder tests

lint: $(STAMP)
	$(BIN)/ruff check jicui_compliance tests benchmarks tools docs/_ext docs/conf.py
	$(BIN)/mypy

samples: $(STAMP)
	$(BIN)/python -m jicui_samples --out data/samples --seed 2023

schemas: $(STAMP)
	$(BIN)/python -m jicui_compliance.ledgers.export schemas

docs: $(STAMP)
	$(BIN)/sphinx-build -W -b html docs docs/_build/html
	@echo "文档：docs/_build/html/index.html"

# 按村报告: render notebooks/08_按村报告.ipynb (papermill) for every village of the samples
village-reports: $(STAMP)
	$(BIN)/python notebooks/render_villages.py data/samples --as-of 2023-12-31 --out $(OUT)/villages

# pictures of the 公文 (LibreOffice → PDF → pdftoppm) and the HTML (headless Chromium) for the docs;
# needs: apt-get install -y libreoffice-writer-nogui poppler-utils chromium fonts-noto-cjk
screenshots: $(STAMP)
	$(BIN)/python tools/screenshots.py

# clean county (CSV, xlsx), dirty county, province, then one line per target: about 35 min at load 5
# (the counties ~15 min, the province ~270 CPU s); BENCH_ARGS="--counties clean,dirty" for the counties only
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) out build *.egg-info

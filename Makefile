.PHONY: setup test test-slow export clean readme docs bench ci
setup:     ; bash tools/setup.sh
test:      ; .venv/bin/pytest
test-slow: ; NBDEV_FLAGS="slow" .venv/bin/pytest tests/test_notebooks.py
export:    ; .venv/bin/nbdev_export && .venv/bin/nbdev_clean
readme:    ; .venv/bin/python tools/make_readme.py
docs:      ; .venv/bin/python tools/build_docs.py
bench:     ; .venv/bin/python benchmarks/bench_train.py && .venv/bin/python benchmarks/bench_latency.py && .venv/bin/python benchmarks/bench_explorer.py
ci:        ; bash .ci/run

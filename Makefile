# The README's commands: `make lab` and `make test` (+ `make execute`, `make ci`, ...).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Jupyter refuses to run as root (containers, CI) unless told to
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
# one BLAS/OpenMP thread: the notebooks' numbers are compared digit for digit
THREADS := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
NBVAL   := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider
# two pytest workers (2 cores), each test file (each notebook) whole on one worker
XDIST   := -n 2 --dist loadfile
# an OpenBLAS kernel other than the one this CPU picks (see README, "Tests")
ALT_CORETYPE ?= $(if $(filter Sandybridge,$(OPENBLAS_CORETYPE)),Prescott,Sandybridge)
STRIP   := $(VENV)/bin/nbstripout --keep-output --keep-count --keep-id

.PHONY: lab test unit notebooks test-kernels test-wheel ci execute slide-metadata slides student bench bench-browser clean

# 1. create the virtual environment once; 2. (re)install only when pyproject.toml changed;
# 3. in a git clone, let nbstripout strip volatile notebook metadata on `git add`
$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	-git rev-parse --git-dir >/dev/null 2>&1 && \
	    git config filter.nbstripout.clean "$(abspath $(VENV))/bin/nbstripout --keep-output --keep-count --keep-id" && \
	    git config filter.nbstripout.smudge cat && \
	    git config diff.ipynb.textconv "$(abspath $(VENV))/bin/nbstripout -t"
	touch $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=notebooks $(ROOT_FLAG)

# unit tests + every notebook re-run and compared with its saved outputs + the browser tests
test: $(STAMP)
	$(THREADS) $(PY) -m pytest tests notebooks $(NBVAL) $(XDIST) -q

unit: $(STAMP)
	$(PY) -m pytest tests -q

notebooks: $(STAMP)
	$(THREADS) $(PY) -m pytest notebooks $(NBVAL) $(XDIST) -q

# the notebook comparison again under another OpenBLAS kernel: a cell whose printed numbers
# depend on the CPU fails here, on the developer's own machine
test-kernels: $(STAMP)
	@OPENBLAS_CORETYPE=$(ALT_CORETYPE) $(PY) -c "import numpy, threadpoolctl; \
	    print('OpenBLAS kernel:', [i.get('architecture') for i in threadpoolctl.threadpool_info()])"
	OPENBLAS_CORETYPE=$(ALT_CORETYPE) $(THREADS) $(PY) -m pytest notebooks $(NBVAL) $(XDIST) -q

# a plain (non-editable) install from a wheel, in a fresh virtual environment
test-wheel: $(STAMP)
	rm -rf build/wheel-check && mkdir -p build/wheel-check
	$(PY) -m pip wheel --quiet --no-deps --wheel-dir build/wheel-check .
	$(PYTHON) -m venv build/wheel-check/venv
	build/wheel-check/venv/bin/pip install --quiet build/wheel-check/course_utils-*.whl
	cd build/wheel-check && venv/bin/python ../../tests/wheel_smoke.py

# what .ci/run runs
ci: test test-kernels test-wheel

# re-execute every notebook in place from a clean kernel, deterministically, then strip volatile
# metadata and refresh the text pairs: run it whenever course_utils changes
execute: $(STAMP)
	$(VENV)/bin/jupytext --sync notebooks/*.ipynb
	$(PY) -m course_utils.slides notebooks/*.ipynb
	for nb in notebooks/*.ipynb; do \
	    echo "executing $$nb"; \
	    $(THREADS) $(PY) -m nbconvert --to notebook --execute --inplace \
	        --ExecutePreprocessor.timeout=1200 --ExecutePreprocessor.record_timing=False \
	        --ExecutePreprocessor.store_widget_state=False "$$nb" \
	        || exit 1; \
	done
	$(STRIP) notebooks/*.ipynb
	$(VENV)/bin/jupytext --sync notebooks/*.ipynb

# lecture mode: (re)assign every cell's slide type by the rules in course_utils/slides.py
slide-metadata: $(STAMP)
	$(PY) -m course_utils.slides notebooks/*.ipynb

# static slides for sharing after the lecture: build/slides/NN_name.slides.html, from the saved
# outputs (every dashboard shows its saved picture); reveal.js comes from the npm registry when
# npm is there (the slides then work offline), else from a CDN
REVEAL_VERSION := 4.0.2
slides: $(STAMP)
	mkdir -p build/slides
	if command -v npm >/dev/null 2>&1 && [ ! -f build/slides/reveal.js/dist/reveal.js ]; then \
	    (cd build/slides && npm pack --silent reveal.js@$(REVEAL_VERSION) >/dev/null && \
	     mkdir -p reveal.js && tar -xzf reveal.js-$(REVEAL_VERSION).tgz -C reveal.js --strip-components=1 && \
	     rm reveal.js-$(REVEAL_VERSION).tgz) || echo "npm pack failed: the slides will load reveal.js from a CDN"; \
	fi
	prefix=$$([ -f build/slides/reveal.js/dist/reveal.js ] && echo "--SlidesExporter.reveal_url_prefix=reveal.js"); \
	$(VENV)/bin/jupyter nbconvert --to slides --output-dir build/slides $$prefix \
	    --SlidesExporter.reveal_scroll=True --SlidesExporter.reveal_number=c/t notebooks/*.ipynb
	@echo "open build/slides/<chapter>.slides.html in a browser (arrow keys, S for speaker notes)"

student: $(STAMP)
	$(PY) -m course_utils.student notebooks student

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# the real-browser one alone (JupyterLab + Chromium, every dashboard, ~15 min; `make bench` runs it too):
# its table also goes to benchmarks/results/browser.txt
bench-browser: $(STAMP)
	$(THREADS) $(PY) benchmarks/bench_browser.py --save benchmarks/results/browser.txt

clean:
	rm -rf $(VENV) student test-artifacts build

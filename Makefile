# Two commands for a fresh machine: `make run` and `make test`. Everything else is optional.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
SHARED ?= ../shared

.PHONY: run test test-unit resilience soak eval compiled bench broker-start broker-stop clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

## Run the monitor on the seed: local broker, worker, replay, alerts on stdout (Ctrl-C stops).
run: $(VENV)/.installed
	$(BIN)/news-monitor run seeds

## The whole test suite; the integration tests start a real local Kafka broker themselves.
test: $(VENV)/.installed
	$(PY) -m pytest -q -rs

## Only the tests that need no broker.
test-unit: $(VENV)/.installed
	$(PY) -m pytest -q -rs -m "not kafka"

## Long tests, run by hand (README, Tests): the resilience tests at the issue's sizes
## (5,000 articles with a worker killed, a 50,000-article burst), and a soak.
resilience: $(VENV)/.installed
	NEWSMON_RESILIENCE_ARTICLES=5000 NEWSMON_BURST_ARTICLES=50000 $(PY) -m pytest -q -rs -s tests/test_resilience_kafka.py

SOAK_MINUTES ?= 30
soak: $(VENV)/.installed
	$(PY) bench/soak.py --minutes $(SOAK_MINUTES)

## Detector accuracy on the dev set of ../shared/eval.
eval: $(VENV)/.installed
	@test -f $(SHARED)/eval/dev.jsonl || { echo "$(SHARED)/eval/dev.jsonl is absent: nothing to score"; exit 1; }
	@mkdir -p .run
	$(BIN)/news-monitor detect $(SHARED)/eval/dev.jsonl > .run/dev-pred.jsonl
	$(PY) $(SHARED)/eval/score.py $(SHARED)/eval/dev-gold.jsonl .run/dev-pred.jsonl

## A copy of the package with the detector compiled by Cython, in build/compiled, as
## `pip install .` and the image install it; bench/detect.py measures it beside the source.
compiled: $(VENV)/.installed
	NEWSMON_REQUIRE_COMPILED=1 $(PY) -m pip install -q --no-deps --no-build-isolation --upgrade --target build/compiled .

## Benchmarks (print numbers; see README).
bench: compiled
	$(PY) bench/detect.py
	$(PY) bench/pipeline.py

broker-start: $(VENV)/.installed
	$(BIN)/news-monitor broker start

broker-stop: $(VENV)/.installed
	$(BIN)/news-monitor broker stop

clean:
	-$(BIN)/news-monitor broker stop
	rm -rf .run

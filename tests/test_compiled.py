"""The compiled detector behaves as the source does.

``pip install .`` and the image compile the detector's modules (normalize, gazetteer,
detect) with Cython (setup.py). Built here the same way into a temporary directory, it
must pass the detector's own tests and give the same records, byte for byte, as the
pure-Python modules on the seed and, where ../shared is present, on the dev set and
corpus items. Building takes about a minute. Without a C compiler or Python's headers
the tests skip, except under CI, which must test what the image ships.
"""
from __future__ import annotations

import dataclasses
import gzip
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import orjson
import pytest

import monitor.detect
from monitor.detect import detect_item

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DETECTOR = ("monitor.normalize", "monitor.gazetteer", "monitor.detect")

# A pytest plugin for the run against the compiled copy: fails the run if any detector
# module it imported was not the compiled one (a path order that let the source in).
PLUGIN = f"""
import sys

def pytest_sessionfinish(session, exitstatus):
    pure = [n for n in {DETECTOR!r} if not sys.modules[n].__file__.endswith(".so")]
    if pure:
        print("not compiled:", [sys.modules[n].__file__ for n in pure])
        session.exitstatus = 3
"""

# Reads [title, summary, text] lines on stdin, writes each item's record as a JSON line.
DETECT_LINES = """
import dataclasses, sys, orjson
import monitor.detect
assert monitor.detect.__file__.endswith(".so"), monitor.detect.__file__
for line in sys.stdin.buffer:
    record = dataclasses.asdict(monitor.detect.detect_item(*orjson.loads(line)))
    sys.stdout.buffer.write(orjson.dumps(record, option=orjson.OPT_SORT_KEYS) + b"\\n")
"""


def _missing_toolchain() -> str | None:
    if not shutil.which((sysconfig.get_config_var("CC") or "cc").split()[0]):
        return "no C compiler"
    if not Path(sysconfig.get_paths()["include"], "Python.h").exists():
        return "no Python headers (Python.h)"
    return None


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> Path:
    """A copy of the package with the detector compiled, as ``make compiled`` builds it."""
    missing = _missing_toolchain()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"cannot build the compiled detector: {missing}")
        pytest.skip(f"cannot build the compiled detector here: {missing}")
    lib = tmp_path_factory.mktemp("compiled")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--target", str(lib), "."],
        cwd=REPO, env={**os.environ, "NEWSMON_REQUIRE_COMPILED": "1"}, capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stdout + build.stderr
    return lib


def _env(*paths: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, paths))}


def test_the_detector_tests_pass_against_the_compiled_modules(compiled, tmp_path):
    (tmp_path / "compiled_check.py").write_text(PLUGIN)
    # -P and --import-mode=append keep the source tree behind the compiled copy on sys.path.
    run = subprocess.run(
        [sys.executable, "-P", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "compiled_check",
         "--import-mode=append", "tests/test_normalize.py", "tests/test_gazetteer.py", "tests/test_detect.py"],
        cwd=REPO, env=_env(compiled, tmp_path), capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout.splitlines()[-1]


def _items() -> list[list[str]]:
    title, _, body = (REPO / "seeds" / "000_06dc2b0018f97db1.txt").read_text(encoding="utf-8").partition("\n")
    items = [[title, "", body]]
    dev = SHARED / "eval" / "dev.jsonl"
    if dev.exists():
        for d in map(json.loads, dev.open(encoding="utf-8")):
            items.append([d["title"], d.get("summary") or "", d.get("text") or ""])
    corpus = SHARED / "corpus" / "ant-2018.jsonl.gz"
    if corpus.exists():
        with gzip.open(corpus, "rt", encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                d = json.loads(line)
                # RSS-sized items, and one full article in ten
                items.append([d["title"], d.get("summary") or "", (d.get("text") or "") if i % 10 == 0 else ""])
                if i >= 2999:
                    break
    return items


def test_the_compiled_detector_gives_the_same_records(compiled):
    assert monitor.detect.__file__.endswith(".py"), "the records to compare with must be the source's"
    items = _items()
    if len(items) == 1:
        print("only the seed compared: ../shared/eval and ../shared/corpus are absent")
    stdin = b"".join(orjson.dumps(it) + b"\n" for it in items)
    run = subprocess.run([sys.executable, "-P", "-c", DETECT_LINES], input=stdin, cwd=compiled,
                         env=_env(compiled), capture_output=True, timeout=600)
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    got = run.stdout.splitlines()
    assert len(got) == len(items)
    differ = []
    for item, line in zip(items, got):
        want = orjson.dumps(dataclasses.asdict(detect_item(*item)), option=orjson.OPT_SORT_KEYS)
        if line != want:
            differ.append(item[0])
    assert not differ, f"{len(differ)} of {len(items)} items differ, the first: {differ[:3]}"
    assert b'"events":[{' in got[0]  # the seed's events were compared, not empty records

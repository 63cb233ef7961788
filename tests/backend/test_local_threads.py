"""The built-in model uses the CPUs this process may run on: llama.cpp's thread count, read back
from the loaded context, in a fresh process whose CPU affinity the test sets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: pip install -r requirements-local.txt")

ROOT = Path(__file__).resolve().parent.parent.parent
# Pins itself to the CPUs given, loads the real model, and reports the threads llama.cpp was given.
PROBE = """
import json, os, sys
import llama_cpp
os.sched_setaffinity(0, set(json.loads(sys.argv[1])))
from playground.local.engine import LocalEngine
from playground.local.setup import find_model_path
engine = LocalEngine(find_model_path())
ctx = engine._llm._ctx.ctx
print(json.dumps([llama_cpp.llama_n_threads(ctx), llama_cpp.llama_n_threads_batch(ctx)]))
"""

needs_affinity = pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is a Linux feature")


def llama_threads(cpus: set[int], env: dict[str, str] | None = None) -> list[int]:
    environ = {k: v for k, v in os.environ.items() if k != "LOCAL_MODEL_THREADS"} | (env or {})
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(sorted(cpus))], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@needs_affinity
def test_the_local_model_runs_one_thread_per_cpu_the_process_may_use() -> None:
    usable = os.sched_getaffinity(0)
    one = min(usable)
    assert llama_threads({one}) == [1, 1]
    assert llama_threads(usable) == [len(usable), len(usable)]


@needs_affinity
def test_local_model_threads_overrides_the_cpu_count() -> None:
    assert llama_threads({min(os.sched_getaffinity(0))}, {"LOCAL_MODEL_THREADS": "3"}) == [3, 3]


def test_a_bad_thread_count_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from playground.local.setup import LocalModelUnavailable, thread_count

    monkeypatch.setenv("LOCAL_MODEL_THREADS", "two")
    with pytest.raises(LocalModelUnavailable, match="LOCAL_MODEL_THREADS"):
        thread_count()

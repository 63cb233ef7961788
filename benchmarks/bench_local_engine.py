"""How much speed the playground's path costs the local model: tokens per second streamed through
the local server and `InferenceClient`, against llama-cpp-python called directly, in one run.

Both sides generate the same prompt with the same settings (seed, temperature 0.8, no top-k/top-p/
min-p filtering) for MAX_NEW_TOKENS tokens. The direct side is llama-cpp-python's best configuration
on this machine: one thread per CPU this process may use (`os.sched_getaffinity`) for generating and
for reading the prompt; the playground's side uses whatever its engine chooses. They run in alternating order so that the machine's noise falls
on both. Times run from the call to the last token, prompt evaluation included.

    python -m benchmarks.bench_local_engine [--repetitions 5]

Writes benchmarks/results/local_engine.md; the target is a median ratio of at least 0.9.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import InferenceClient
from llama_cpp import Llama

from playground.local.engine import CONTEXT_TOKENS
from playground.local.service import LocalModelService
from playground.local.setup import find_model_path

PROMPT = "1, 2, 3, 4, 5,"  # SmolLM2 keeps counting, so every run reaches MAX_NEW_TOKENS
MAX_NEW_TOKENS = 128
SEED = 1234
TEMPERATURE = 0.8
TARGET = 0.9
RESULTS = Path(__file__).parent / "results" / "local_engine.md"


@dataclass(frozen=True)
class Run:
    tokens: int
    seconds: float
    text: str

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds


def direct_run(llm: Llama) -> Run:
    started = time.perf_counter()
    chunks = llm.create_completion(
        PROMPT, max_tokens=MAX_NEW_TOKENS, temperature=TEMPERATURE, seed=SEED, top_k=0, top_p=1.0, min_p=0.0, stream=True
    )
    text, finish = "", None
    for chunk in chunks:
        text += chunk["choices"][0]["text"]
        finish = chunk["choices"][0]["finish_reason"] or finish
    seconds = time.perf_counter() - started
    # finish "length" means exactly max_tokens tokens were generated.
    return Run(MAX_NEW_TOKENS if finish == "length" else len(llm.tokenize(text.encode(), add_bos=False)), seconds, text)


def playground_run(client: InferenceClient) -> Run:
    started = time.perf_counter()
    events = client.text_generation(PROMPT, max_new_tokens=MAX_NEW_TOKENS, temperature=TEMPERATURE, seed=SEED, stream=True, details=True)
    last = None
    for last in events:  # noqa: B007 - the last event carries the details
        pass
    seconds = time.perf_counter() - started
    assert last is not None and last.details is not None
    return Run(last.details.generated_tokens, seconds, last.generated_text or "")


PLAYGROUND_THREADS: int | None = None


def measure(repetitions: int) -> list[tuple[Run, Run]]:
    global PLAYGROUND_THREADS
    service = LocalModelService()
    client = InferenceClient(model=service.start(), token=None)
    if not service.wait_until_ready(timeout=60):
        raise SystemExit("the local model did not load")
    PLAYGROUND_THREADS = getattr(service._state.engine, "threads", None) or service._state.engine._llm.n_threads
    threads = usable_cpus()
    llm = Llama(model_path=str(find_model_path()), n_ctx=CONTEXT_TOKENS, seed=0, verbose=False, n_threads=threads, n_threads_batch=threads)
    try:
        direct_run(llm), playground_run(client)  # warm-up: first-touch page faults, thread pools
        pairs = []
        for repetition in range(repetitions):
            # Alternate which side goes first, so a slow spell of the machine hits both.
            if repetition % 2 == 0:
                direct = direct_run(llm)
                through = playground_run(client)
            else:
                through = playground_run(client)
                direct = direct_run(llm)
            pairs.append((direct, through))
            print(f"run {repetition + 1}: direct {direct.tokens_per_s:6.1f} tok/s, playground {through.tokens_per_s:6.1f} tok/s")
        return pairs
    finally:
        client.close()
        service.stop()
        llm.close()


def usable_cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def machine_note() -> str:
    import llama_cpp

    features = llama_cpp.llama_print_system_info().decode().split("|")
    enabled = [f.split("=")[0].strip() for f in features if f.strip().endswith("= 1") and "AVX" in f]
    return (
        f"{platform.machine()}, {usable_cpus()} usable CPUs, direct threads {usable_cpus()}, playground threads "
        f"{PLAYGROUND_THREADS or 'default'}, llama-cpp-python {llama_cpp.__version__} ({', '.join(enabled)}), Python {platform.python_version()}"
    )


def report(pairs: list[tuple[Run, Run]]) -> str:
    direct = statistics.median(d.tokens_per_s for d, _ in pairs)
    through = statistics.median(t.tokens_per_s for _, t in pairs)
    ratio = statistics.median(t.tokens_per_s / d.tokens_per_s for d, t in pairs)
    same_text = all(d.text == t.text for d, t in pairs)
    verdict = "met" if ratio >= TARGET else "NOT met"
    rows = "\n".join(
        f"| {n} | {d.tokens} | {d.tokens_per_s:.1f} | {t.tokens} | {t.tokens_per_s:.1f} | {t.tokens_per_s / d.tokens_per_s:.3f} |"
        for n, (d, t) in enumerate(pairs, start=1)
    )
    return f"""# Local engine: direct llama-cpp-python vs through the playground's server

`python -m benchmarks.bench_local_engine --repetitions {len(pairs)}`: prompt `{PROMPT}`, {MAX_NEW_TOKENS} new tokens,
seed {SEED}, temperature {TEMPERATURE}, no top-k/top-p/min-p; through = local server + `InferenceClient`
streaming `text_generation`. Times include prompt evaluation. Same text on both sides: {"yes" if same_text else "no"}.

| date | machine | direct tok/s (median) | through playground tok/s (median) | ratio (median of runs) | target |
|---|---|---|---|---|---|
| {datetime.date.today().isoformat()} | {machine_note()} | {direct:.1f} | {through:.1f} | {ratio:.3f} | >= {TARGET} ({verdict}) |

| run | direct tokens | direct tok/s | through tokens | through tok/s | ratio |
|---|---|---|---|---|---|
{rows}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    pairs = measure(args.repetitions)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report(pairs))
    print(report(pairs))


if __name__ == "__main__":
    main()

"""The local engine: llama-cpp-python running one GGUF model, one generation at a time.

A llama.cpp context is not thread-safe, so generating takes a `Turn` first: `LocalEngine.try_turn`
waits a bounded time for the model and returns None when another request still holds it, which the
server answers with 429. Generations run in llama.cpp's own sampler, token by token, so every
event carries a real token id and the count of generated tokens is exact.

    engine = LocalEngine(find_model_path())
    turn = engine.try_turn(wait_s=5.0)  # None: another request holds the model
    try:
        for token in turn.complete(prompt, Sampling(max_new_tokens=32, seed=1)):
            print(token.text, end="")
    finally:
        turn.release()

Raises `LocalModelUnavailable` (not installed) and `PromptError` (a prompt this model cannot take).
"""

from __future__ import annotations

import codecs
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from playground.local.logits import Alternative, token_odds
from playground.local.setup import thread_count

if TYPE_CHECKING:
    from llama_cpp import Llama

CONTEXT_TOKENS = 2048
# Runs shorter than this say little about the host's speed, so they are not reported (`on_run`).
WATCHED_TOKENS = 16
# llama.cpp reads this seed as "pick one at random", so seeds are folded below it (see `_llama_seed`).
_LLAMA_RANDOM_SEED = 0xFFFFFFFF

FinishReason = Literal["length", "eos_token", "stop_sequence"]


class PromptError(ValueError):
    """A prompt or a chat this model cannot take (empty, longer than its context, bad messages)."""


@dataclass(frozen=True)
class Sampling:
    """How tokens are picked. Temperature 0 is greedy. `options` holds llama.cpp sampler options by
    `Llama.generate` keyword ("top_k", "repeat_penalty", ...); one left out is off (`SAMPLER_OFF`)."""

    max_new_tokens: int = 256
    seed: int = 0
    temperature: float = 0.0
    stop: tuple[str, ...] = ()
    grammar: str | None = None  # GBNF the answer must follow (structured output), or None
    top_logprobs: int = 0  # alternatives reported per token, with each token's log-probability; 0: none
    options: Mapping[str, float] = field(default_factory=dict)

    @property
    def greedy(self) -> bool:
        return self.temperature == 0


@dataclass(frozen=True)
class Token:
    id: int
    text: str
    special: bool
    # With `Sampling.top_logprobs`: the token's log-probability and the likeliest tokens at its place.
    logprob: float | None = None
    top: tuple[Alternative, ...] = ()


class Generation:
    """The tokens of one run, produced while it is iterated.

    `finish_reason` stays None until the last token: it is set just before that token is yielded,
    so a consumer can tell the last token apart without reading ahead. Stop sequences end the text
    right after them and stay in it, as in TGI.
    """

    def __init__(self, llm: Llama, prompt_tokens: list[int], sampling: Sampling, on_run: Callable[[float], None] | None = None) -> None:
        self.input_length = len(prompt_tokens)
        self.sampling = sampling
        self.finish_reason: FinishReason | None = None
        self.generated_tokens = 0
        self.text = ""
        self._stopped = False
        self._llm = llm
        self._on_run = on_run
        self._first_at: float | None = None  # when the first and the latest token came: the decoding speed
        self._last_at = 0.0
        self._budget = min(sampling.max_new_tokens, llm.n_ctx() - len(prompt_tokens))
        self._tokens = self._run(prompt_tokens)

    def __iter__(self) -> Iterator[Token]:
        return self._tokens

    def close(self) -> None:
        self._tokens.close()

    def _run(self, prompt_tokens: list[int]) -> Iterator[Token]:
        import llama_cpp

        vocab = llama_cpp.llama_model_get_vocab(self._llm.model)
        # A byte-level token can hold half of a UTF-8 character: the decoder keeps it until complete.
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        # A fresh context every time, so a run never depends on the one before: llama-cpp-python
        # would otherwise reuse the cached prompt prefix and evaluate its last token alone, a
        # different computation whose logits may differ in the last bits. Re-reading a prompt is cheap.
        self._llm.reset()
        self._llm.set_seed(_llama_seed(self.sampling.seed))
        try:
            yield from self._decode(prompt_tokens, vocab, decoder)
        finally:
            self._report_speed()

    def _decode(self, prompt_tokens: list[int], vocab: Any, decoder: codecs.IncrementalDecoder) -> Iterator[Token]:
        import llama_cpp

        for token_id in self._llm.generate(prompt_tokens, **_sampler_options(self.sampling), grammar=_grammar(self.sampling)):
            self.generated_tokens += 1
            odds = token_odds(self._llm, token_id, self.sampling.top_logprobs)
            self._last_at = time.perf_counter()
            self._first_at = self._last_at if self._first_at is None else self._first_at
            if llama_cpp.llama_vocab_is_eog(vocab, token_id):
                self.finish_reason = "eos_token"
                yield Token(token_id, self._add(decoder.decode(b"", final=True)), special=True, **odds)
                return
            text = self._add(decoder.decode(self._llm.detokenize([token_id])))
            self.finish_reason = self._finish_reason()
            yield Token(token_id, text, special=False, **odds)
            if self.finish_reason is not None:
                return

    def _report_speed(self) -> None:
        """Tells `on_run` the decoding speed (tokens after the first, as calibration measures it)."""
        if self._on_run is not None and self._first_at is not None and self.generated_tokens >= WATCHED_TOKENS:
            if self._last_at > self._first_at:
                self._on_run((self.generated_tokens - 1) / (self._last_at - self._first_at))

    def _add(self, text: str) -> str:
        """Appends a token's text, cut right after a stop sequence it completes."""
        start = len(self.text)
        self.text += text
        # Search from where a stop sequence ending in the new text could begin.
        ends = [self.text.find(stop, max(0, start - len(stop) + 1)) for stop in self.sampling.stop]
        ends = [found + len(stop) for found, stop in zip(ends, self.sampling.stop, strict=True) if found >= 0]
        if ends:
            self.text = self.text[: min(ends)]
            self._stopped = True
        return self.text[start:]

    def _finish_reason(self) -> FinishReason | None:
        if self._stopped:
            return "stop_sequence"
        return "length" if self.generated_tokens >= self._budget else None


# Every sampler option at its "off" value: llama-cpp-python's defaults (top_k 40, top_p 0.95,
# min_p 0.05) would otherwise filter behind the user's back.
SAMPLER_OFF: dict[str, float] = {
    "top_k": 0,
    "top_p": 1.0,
    "min_p": 0.0,
    "typical_p": 1.0,
    "repeat_penalty": 1.0,
    "frequency_penalty": 0.0,
    "presence_penalty": 0.0,
}


def _sampler_options(sampling: Sampling) -> dict[str, Any]:
    """Every option is passed, "off" included."""
    return {"temp": sampling.temperature, **SAMPLER_OFF, **sampling.options}


def _grammar(sampling: Sampling) -> Any:
    """llama.cpp's grammar-constrained sampling: only tokens the grammar allows can be picked."""
    if sampling.grammar is None:
        return None
    from llama_cpp.llama_grammar import LlamaGrammar

    return LlamaGrammar.from_string(sampling.grammar, verbose=False)


def _llama_seed(seed: int) -> int:
    return seed % _LLAMA_RANDOM_SEED


class Turn:
    """The right to use the model, held by one request; `release` is idempotent."""

    def __init__(self, engine: LocalEngine) -> None:
        self._engine = engine
        self._released = False

    def complete(self, prompt: str, sampling: Sampling) -> Generation:
        """Raises PromptError now, before any token, so the server can still answer 422."""
        return self._engine._generation(self._engine.tokenize(prompt), sampling)

    def chat(self, messages: list[dict[str, str]], sampling: Sampling) -> Generation:
        """Renders the GGUF's chat template, then completes it. Raises PromptError."""
        return self._engine._generation(self._engine.tokenize_chat(messages), sampling)

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._engine._lock.release()


class LocalEngine:
    """One loaded model. Loading takes the file's size in time (about 0.2 s for SmolLM2-135M)."""

    def __init__(self, model_path: Path, n_ctx: int = CONTEXT_TOKENS, threads: int | None = None) -> None:
        """`threads`: for generating and for reading the prompt; `thread_count()` when None. OpenMP's
        wait policy is whatever OMP_WAIT_POLICY says when llama.cpp first loads in this process:
        the service sets it from its calibration before it creates the engine."""
        from llama_cpp import Llama

        self.model_path = model_path
        self.threads = threads or thread_count()
        # Called with each run's decoding speed (tokens/s) once it ends, for runs of WATCHED_TOKENS or more.
        self.on_run: Callable[[float], None] | None = None
        self.note = f"{self.threads} threads"  # the configuration in words (the tuner says more)
        self._llm = Llama(
            model_path=str(model_path), n_ctx=n_ctx, seed=0, verbose=False, n_threads=self.threads, n_threads_batch=self.threads
        )
        self._lock = threading.Lock()
        self._chat_formatter = _chat_formatter(self._llm)

    @property
    def n_ctx(self) -> int:
        return self._llm.n_ctx()

    def try_turn(self, wait_s: float) -> Turn | None:
        """The model for this caller, or None if another request still holds it after `wait_s`."""
        return Turn(self) if self._lock.acquire(timeout=wait_s) else None

    def tokenize(self, prompt: str, chat_rendered: bool = False) -> list[int]:
        if not prompt:
            raise PromptError("inputs must not be empty")
        # special=True: a prompt may spell out control tokens such as <|im_start|>, as with TGI.
        tokens = self._llm.tokenize(prompt.encode("utf-8"), add_bos=not chat_rendered, special=True)
        if len(tokens) >= self.n_ctx:
            raise PromptError(f"the prompt is {len(tokens)} tokens long; this model reads at most {self.n_ctx - 1}")
        return tokens

    def tokenize_chat(self, messages: list[dict[str, str]]) -> list[int]:
        if self._chat_formatter is None:
            raise PromptError("this model has no chat template; use completion mode")
        try:
            prompt = self._chat_formatter(messages=messages).prompt
        except Exception as error:  # the template's own raise_exception, or a Jinja error
            raise PromptError(f"the chat template refused these messages: {error}") from error
        # The rendered template already holds any BOS it wants.
        return self.tokenize(prompt, chat_rendered=True)

    def close(self) -> None:
        self._llm.close()

    def set_threads(self, threads: int) -> None:
        """Call while holding a turn: generating and reading the prompt use `threads` from the next token on."""
        import llama_cpp

        llama_cpp.llama_set_n_threads(self._llm._ctx.ctx, threads, threads)
        self.threads = threads

    def greedy_tokens(self, prompt: str) -> Iterator[int]:
        """Token ids of `prompt`'s greedy continuation, without end (calibration takes a few).
        Call while holding a turn."""
        self._llm.reset()
        return self._llm.generate(self.tokenize(prompt), temp=0.0, **SAMPLER_OFF)

    def _generation(self, prompt_tokens: list[int], sampling: Sampling) -> Generation:
        return Generation(self._llm, prompt_tokens, sampling, self.on_run)


def _chat_formatter(llm: Llama) -> Any:
    """The GGUF's own chat template, rendered by llama-cpp-python's Jinja formatter, or None."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = llm.metadata.get("tokenizer.chat_template")
    if not template:
        return None
    return Jinja2ChatFormatter(template=template, eos_token=_token_text(llm, llm.token_eos()), bos_token=_token_text(llm, llm.token_bos()))


def _token_text(llm: Llama, token_id: int) -> str:
    return llm.detokenize([token_id], special=True).decode("utf-8", errors="replace") if token_id >= 0 else ""

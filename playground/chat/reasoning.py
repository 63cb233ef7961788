"""Reasoning, split out of a streamed answer in one place.

Models reason in one of two ways, and both end up here:
- inside the answer text, between `<think>` and `</think>` (SmolLM3, Qwen3, DeepSeek-R1 served as
  plain text). The tags can arrive split across tokens (`<thi` + `nk>`), so a possible partial tag
  is held back until the next piece decides it. Some chat templates open the block themselves, in
  the prompt; the answer then starts inside it and only `</think>` arrives: whatever came before
  that closing tag was reasoning.
- in a separate field of the chat delta (`reasoning_content`, or `reasoning`), which the backend
  passes on as `Token.reasoning`.

`ReplySplitter.feed` takes each streamed piece with the time it arrived and keeps the answer and the
reasoning apart, with the thinking time and the number of pieces (tokens) of each. Raw tags never
reach `answer` or `reasoning`.
"""

from __future__ import annotations

from dataclasses import dataclass

OPEN_TAG = "<think>"
CLOSE_TAG = "</think>"


@dataclass
class SplitReply:
    """What has arrived so far, apart: the answer, the reasoning, and their timings and counts."""

    answer: str = ""
    reasoning: str = ""
    answer_tokens: int = 0
    thinking_tokens: int = 0
    thinking_started: float | None = None
    thinking_ended: float | None = None

    @property
    def thinking_seconds(self) -> float | None:
        if self.thinking_started is None or self.thinking_ended is None:
            return None
        return max(0.0, self.thinking_ended - self.thinking_started)

    @property
    def thinking(self) -> bool:
        """True while the model is still reasoning (no answer text after its reasoning yet)."""
        return self.thinking_started is not None and self.thinking_ended is None


class ReplySplitter:
    """Feed it the stream piece by piece; read `reply` at any point, and call `finish` at the end."""

    def __init__(self, started: float = 0.0) -> None:
        self.reply = SplitReply()
        self._started = started
        self._inside = False  # inside a <think> block of the text
        self._held = ""  # the end of the text that may be the start of a tag
        self._tagged = False  # a tag was seen
        self._uncounted = 0  # pieces held back whole, not yet counted as answer or thinking

    def feed(self, text: str, reasoning: str, now: float) -> None:
        """One streamed piece: answer text (maybe with tags) and/or a separate reasoning delta."""
        answer_before = len(self.reply.answer)
        if reasoning:
            self._add_reasoning(reasoning, now)
        if text:
            self._split_text(self._held + text, now)
        if not text and not reasoning:
            return
        # One streamed piece is one token. A piece that showed nothing yet (part of a tag, held back)
        # is counted with the next piece that shows where it belongs.
        answered = len(self.reply.answer) > answer_before
        if not answered and not reasoning and not self._inside and self._held:
            self._uncounted += 1
            return
        pieces, self._uncounted = 1 + self._uncounted, 0
        if answered and not reasoning:
            self.reply.answer_tokens += pieces
        elif reasoning or self._inside or self._tagged or self.reply.reasoning:
            self.reply.thinking_tokens += pieces
        else:
            self.reply.answer_tokens += pieces

    def finish(self, now: float) -> SplitReply:
        """The stream ended: a held partial tag was text after all; an open block ends here."""
        held, self._held = self._held, ""
        if held:
            self._emit(held, now)
        self.reply.answer_tokens += self._uncounted
        self._uncounted = 0
        if self.reply.thinking:
            self.reply.thinking_ended = now
        return self.reply

    def _split_text(self, text: str, now: float) -> None:
        self._held = ""
        while text:
            tag = CLOSE_TAG if self._inside else OPEN_TAG
            found = text.find(tag)
            closing_elsewhere = -1 if self._inside else text.find(CLOSE_TAG)
            if closing_elsewhere >= 0 and (found < 0 or closing_elsewhere < found):
                self._close_unopened(text[:closing_elsewhere], now)
                text = text[closing_elsewhere + len(CLOSE_TAG):]
                continue
            if found < 0:
                keep = _partial_tag_suffix(text, tag if self._inside else None)
                self._emit(text[: len(text) - keep], now)
                self._held = text[len(text) - keep:]
                return
            self._emit(text[:found], now)
            self._inside = not self._inside
            self._tagged = True
            if self._inside:
                self._start_thinking(now)
            else:
                self.reply.thinking_ended = now
            text = text[found + len(tag):]

    def _close_unopened(self, before: str, now: float) -> None:
        """`</think>` with no `<think>`: the template opened the block, so all text so far was reasoning."""
        self._tagged = True
        moved = self.reply.answer + before
        self.reply.answer = ""
        self.reply.thinking_tokens += self.reply.answer_tokens
        self.reply.answer_tokens = 0
        if self.reply.thinking_started is None:
            self.reply.thinking_started = self._started  # the reasoning began with the answer
        self.reply.reasoning += moved
        self.reply.thinking_ended = now

    def _emit(self, text: str, now: float) -> None:
        if not text:
            return
        if self._inside:
            self.reply.reasoning += text
            return
        if self.reply.thinking:
            if not text.strip() and not self.reply.answer:
                return  # the blank line models put between the reasoning and the answer
            self.reply.thinking_ended = now
        self.reply.answer += text.lstrip() if not self.reply.answer and self.reply.reasoning else text

    def _add_reasoning(self, text: str, now: float) -> None:
        self._start_thinking(now)
        self.reply.reasoning += text

    def _start_thinking(self, now: float) -> None:
        if self.reply.thinking_started is None:
            self.reply.thinking_started = now


def _partial_tag_suffix(text: str, only: str | None) -> int:
    """How many characters at the end of `text` could begin a tag (`only` that one, else either)."""
    tags = (only,) if only else (OPEN_TAG, CLOSE_TAG)
    for size in range(min(len(text), max(len(t) for t in tags) - 1), 0, -1):
        if any(t.startswith(text[-size:]) for t in tags):
            return size
    return 0

"""The conversation as a value: a system prompt and turns, each a user message and its answer.

A `Conversation` is immutable: every action (ask, answer, regenerate, edit, switch version, drop the
oldest turns) returns a new one, so a handler can keep the old value to fall back on when a run fails.

Branches. Editing a user message, regenerating an answer, or correcting an answer by hand
(`edit_answer`) starts a new version of the conversation from that turn on. The versions it replaced stay in that turn (`Turn.earlier` and
`Turn.later`, the conversation from there on, as it was), and `switch_version` steps through them:
a "previous version / next version" switch per edited turn. New versions go last.

`to_messages` is what a request sends: the system prompt, then user and assistant turns, without
the reasoning (chat templates expect the answers alone), ending with the unanswered user message.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

Message = dict[str, str]


@dataclass(frozen=True)
class Answer:
    """An assistant turn. `reasoning` is kept apart from `content` and never sent back to the model."""

    content: str = ""
    reasoning: str = ""
    thinking_seconds: float | None = None


@dataclass(frozen=True)
class Turn:
    """A user message and its answer (None until it arrives). `earlier` and `later` hold the other
    versions of the conversation from this turn on, each a tuple of turns, in the order they were made."""

    user: str
    answer: Answer | None = None
    earlier: tuple[tuple[Turn, ...], ...] = field(default=(), repr=False)
    later: tuple[tuple[Turn, ...], ...] = field(default=(), repr=False)

    @property
    def version(self) -> tuple[int, int]:
        """(this version's number, how many there are), e.g. (2, 2) after one edit."""
        return len(self.earlier) + 1, len(self.earlier) + len(self.later) + 1


@dataclass(frozen=True)
class Conversation:
    system_prompt: str = ""
    turns: tuple[Turn, ...] = ()

    @property
    def pending(self) -> bool:
        """True when the last user message has no answer yet."""
        return bool(self.turns) and self.turns[-1].answer is None

    def ask(self, text: str) -> Conversation:
        """The conversation with a new user message, waiting for its answer. An unanswered last
        message (its run failed or was stopped before any text) is replaced, so turns alternate."""
        turns = self.turns[:-1] if self.pending else self.turns
        return replace(self, turns=(*turns, Turn(text)))

    def answer(self, answer: Answer) -> Conversation:
        """The last user message, answered (or its answer so far, while it streams)."""
        if not self.turns:
            raise ValueError("there is no message to answer")
        return replace(self, turns=(*self.turns[:-1], replace(self.turns[-1], answer=answer)))

    def regenerate(self) -> Conversation:
        """A new version of the last turn with the same user message, waiting for its answer; the
        answer it replaces stays reachable as an earlier version."""
        if not self.turns:
            raise ValueError("there is nothing to regenerate")
        if self.pending:
            return self
        return self.edit(len(self.turns) - 1, self.turns[-1].user)

    def edit(self, index: int, text: str) -> Conversation:
        """Turn `index` asks `text` instead; the turns after it go, and the conversation as it was
        from that turn on stays reachable as an earlier version."""
        turn = self.turns[index]
        others = (*turn.earlier, _bare(self.turns[index:]), *turn.later)
        return replace(self, turns=(*self.turns[:index], Turn(text, earlier=others)))

    def edit_answer(self, index: int, text: str) -> Conversation:
        """Turn `index`'s answer corrected to `text`, which later requests send as that assistant
        message. Nothing is asked again and the turns after it stay; the conversation as it was from
        that turn on stays reachable as an earlier version. The old reasoning goes: it led elsewhere."""
        turn = self.turns[index]
        others = (*turn.earlier, _bare(self.turns[index:]), *turn.later)
        corrected = Turn(turn.user, Answer(text), earlier=others)
        return replace(self, turns=(*self.turns[:index], corrected, *self.turns[index + 1:]))

    def asked_at(self, index: int) -> Conversation:
        """The conversation as turn `index` was asked: the turns before it, then its message waiting."""
        return replace(self, turns=(*self.turns[:index], Turn(self.turns[index].user)))

    def switch_version(self, index: int, step: int) -> Conversation:
        """Shows the previous (`step=-1`) or next (`step=1`) version from turn `index` on."""
        turn = self.turns[index]
        versions = [*turn.earlier, _bare(self.turns[index:]), *turn.later]
        current = len(turn.earlier)
        chosen = current + step
        if not 0 <= chosen < len(versions):
            return self
        tail = versions[chosen]
        head = replace(tail[0], earlier=tuple(versions[:chosen]), later=tuple(versions[chosen + 1:]))
        return replace(self, turns=(*self.turns[:index], head, *tail[1:]))

    def drop_oldest(self, count: int) -> Conversation:
        """Without the `count` oldest turns; the system prompt stays."""
        count = max(0, min(count, len(self.turns)))
        return replace(self, turns=self.turns[count:])

    def with_system_prompt(self, system_prompt: str) -> Conversation:
        return replace(self, system_prompt=system_prompt)

    def to_messages(self) -> list[Message]:
        """System prompt (if any), then user and assistant turns, without reasoning."""
        messages: list[Message] = []
        if self.system_prompt.strip():
            messages.append({"role": "system", "content": self.system_prompt})
        for turn in self.turns:
            messages.append({"role": "user", "content": turn.user})
            if turn.answer is not None:
                messages.append({"role": "assistant", "content": turn.answer.content})
        return messages

    def earlier_pairs(self) -> tuple[tuple[str, str], ...]:
        """The turns before the last one, as (user message, answer without reasoning) pairs: with
        the last user message, what a request carries (`GenerationRequest.turns` and `.prompt`)."""
        return tuple((turn.user, turn.answer.content if turn.answer else "") for turn in self.turns[:-1])

    def answered_pairs(self) -> tuple[tuple[str, str], ...]:
        """Every answered turn as a (user message, answer without reasoning) pair (a preset's conversation)."""
        return tuple((turn.user, turn.answer.content) for turn in self.turns if turn.answer is not None)

    @property
    def last_user_message(self) -> str:
        return self.turns[-1].user if self.turns else ""


def from_pairs(system_prompt: str, pairs: tuple[tuple[str, str], ...], last_user_message: str | None = None) -> Conversation:
    """The conversation a request describes: earlier pairs, then the last message waiting (if any)."""
    turns = tuple(Turn(user, Answer(answer)) for user, answer in pairs)
    waiting = (Turn(last_user_message),) if last_user_message is not None else ()
    return Conversation(system_prompt, turns + waiting)


def answered(system_prompt: str, pairs: tuple[tuple[str, str], ...], message: str, answer: str) -> Conversation:
    """A finished run's whole conversation as it was shown (a chat picked in History): the earlier
    pairs, then its message with the answer it got."""
    return from_pairs(system_prompt, (*pairs, (message, answer)))


def _bare(turns: tuple[Turn, ...]) -> tuple[Turn, ...]:
    """`turns` as a stored version: its first turn without the versions, which belong to the position."""
    return (replace(turns[0], earlier=(), later=()), *turns[1:])

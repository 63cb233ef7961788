"""The arena's votes on the page: the four vote buttons and the reveal, the "Leaderboard", and the
votes kept in this browser ("Download votes", "Import votes", "Clear votes", which asks once).

A vote is taken once per round (`Round.take_ballot`), only when `allowed_votes` says so; it names
both contenders only then. The leaderboard is drawn from every vote the browser holds, when the
tab is drawn and after each vote, import or clear.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import gradio as gr

from components.arena_round import vote_buttons
from components.context import RunContext
from components.messages import info_html
from playground.arena.ranking import leaderboard, win_rates
from playground.arena.rounds import Round, allowed_votes, vote_fields
from playground.arena.votes import WINNERS, add_vote, merge_votes, new_vote, parse_votes, read_jsonl, vote_games, votes_jsonl

MAX_IMPORT_BYTES = 4 * 1024 * 1024
HIDDEN = {"api_visibility": "undocumented"}


def wire_votes(ctx: RunContext, panel: Any) -> None:
    """`panel`: the drawn components/arena_panel.ArenaPanel."""
    board = [panel.leaderboard, panel.win_rates, panel.download]
    outputs = [panel.round, panel.stored, panel.status, *[p.reveal for p in panel.panes], *panel.votes.values(), *board]
    for label, button in panel.votes.items():
        button.click(_voter(panel, label), inputs=[panel.round, panel.stored], outputs=outputs, **HIDDEN)

    def import_votes(file: Any, stored: Any) -> dict:
        return imported(panel, file, stored)

    def clear_votes() -> dict:
        return {panel.stored: [], **board_updates(panel, []), **asking(panel, False), panel.status: info_html("Every vote is cleared.")}

    def ask() -> dict:
        return asking(panel, True)

    def keep() -> dict:
        return asking(panel, False)

    panel.upload.upload(import_votes, inputs=[panel.upload, panel.stored], outputs=[panel.stored, panel.status, *board], **HIDDEN)
    panel.clear.click(ask, outputs=_clear_buttons(panel), queue=False, **HIDDEN)
    panel.cancel_clear.click(keep, outputs=_clear_buttons(panel), queue=False, **HIDDEN)
    panel.confirm_clear.click(clear_votes, outputs=[panel.stored, panel.status, *board, *_clear_buttons(panel)], **HIDDEN)


def _voter(panel: Any, label: str):
    def vote(game: Any, stored: Any) -> dict:
        return cast_vote(panel, label, game, stored)

    return vote


def cast_vote(panel: Any, label: str, game: Any, stored: Any) -> dict:
    """Records the vote, reveals both contenders and redraws the leaderboard. Raises gr.Error, saying
    why, when this round can't take this vote (none yet, not finished, voted, a failed answer)."""
    if not isinstance(game, Round) or label not in allowed_votes(game) or not game.take_ballot():
        raise gr.Error(refusal(game if isinstance(game, Round) else None), print_exception=False)
    updated = add_vote(stored, new_vote(vote_fields(game), WINNERS[label]))
    sides = (("A", game.a), ("B", game.b))
    reveal = {pane.reveal: f"**{key}** was `{c.model}` · provider {c.provider} · {c.mode.value if c.mode else ''}"
              for pane, (key, c) in zip(panel.panes, sides, strict=True)}
    words = f"You voted: {label}. A was {game.a.label}; B was {game.b.label}."
    return {panel.round: replace(game, voted=label), panel.stored: updated, panel.status: info_html(words), **reveal,
            **vote_buttons(panel, ()), **board_updates(panel, updated)}


def refusal(game: Round | None) -> str:
    if game is None:
        return "There is no round to vote on yet: press Generate."
    if game.voted or game.ballot.taken:
        return "This round has its vote already. Press New pair for another round."
    return "Both answers must finish before you vote." if not game.finished else "A failed answer can't win."


def board_updates(panel: Any, stored: Any) -> dict:
    """The leaderboard, the win-rate matrix and the download, from every vote the browser holds."""
    board = board_values(stored)
    return {panel.leaderboard: board["leaderboard"], panel.win_rates: board["win_rates"],
            panel.download: gr.update(value=board["download"], interactive=board["download"] is not None)}


def board_values(stored: Any) -> dict[str, Any]:
    """{"leaderboard": rows, "win_rates": headers and rows, "download": a votes file or None}, from
    every vote the browser holds."""
    votes = parse_votes(stored)
    games = vote_games(votes)
    rows = leaderboard(games)
    table = [[r.rank, r.contender, round(r.score), f"{r.low:.0f} – {r.high:.0f}", r.votes, r.wins, r.ties,
              "provisional" if r.provisional else ""] for r in rows]
    names = [r.contender for r in rows]
    rates = [[name, *["—" if rate is None else f"{rate:.0%}" for rate in line]] for name, line in zip(names, win_rates(games, names), strict=True)]
    return {"leaderboard": table, "win_rates": {"headers": ["Contender", *names], "data": rates},
            "download": _votes_file(votes) if votes else None}


def _votes_file(votes: list) -> str:
    """A fresh JSONL file of the votes, for "Download votes"."""
    path = Path(tempfile.mkdtemp(prefix="arena-votes-")) / "arena-votes.jsonl"
    path.write_text(votes_jsonl(votes), encoding="utf-8")
    return str(path)


def imported(panel: Any, file: Any, stored: Any) -> dict:
    """Merges a JSONL file of votes; refused lines are named by number and the rest still count."""
    text = _file_text(file)
    if text is None:
        raise gr.Error(f"Import votes: choose a JSONL file of at most {MAX_IMPORT_BYTES // (1024 * 1024)} MB.", print_exception=False)
    votes, problems = read_jsonl(text)
    if not votes:
        raise gr.Error("Import votes: no vote could be read. " + "; ".join(problems[:5]), print_exception=False)
    updated = merge_votes(stored, votes)
    words = f"Imported {len(votes)} vote{'s' if len(votes) != 1 else ''}."
    if problems:
        words += f" Refused {len(problems)}: " + "; ".join(problems[:5]) + ("; …" if len(problems) > 5 else "")
        gr.Warning(words)
    return {panel.stored: updated, panel.status: info_html(words), **board_updates(panel, updated)}


def _file_text(file: Any) -> str | None:
    path = Path(file if isinstance(file, str) else getattr(file, "name", "") or "")
    try:
        if not path.is_file() or path.stat().st_size > MAX_IMPORT_BYTES:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _clear_buttons(panel: Any) -> list[Any]:
    return [panel.clear, panel.confirm_clear, panel.cancel_clear]


def asking(panel: Any, ask: bool) -> dict:
    """"Clear votes" asks once: it gives way to "Yes, clear every vote" and "Keep them"."""
    return {panel.clear: gr.update(visible=not ask), panel.confirm_clear: gr.update(visible=ask),
            panel.cancel_clear: gr.update(visible=ask)}

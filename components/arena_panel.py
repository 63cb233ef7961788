"""The "Arena" tab: blind rounds between two of the "Contenders" on the visitor's prompt, votes, a leaderboard.

"Generate" (and "New pair") draws two different contenders at random and streams both, with the
same request, as "Answer A" and "Answer B", each with its own status card and stats, through the
Compare machinery (the scheduler; Stop ends both). Nothing in the round's part of the page names a
contender before the vote (components/arena_round.py). The four vote buttons, the reveal, the
"Leaderboard" and the votes kept in this browser are components/arena_votes.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import gradio as gr

from components.arena_round import make_round_handler, round_code, system_prompt_visibility
from components.arena_votes import wire_votes
from components.context import STOP_IDLE, RunContext
from components.messages import info_html
from components.page import ARENA_TAB, Page
from components.runs_form import arm_stop, wire_stop_and_code
from components.share_code import LINK, first_foreign_host_note, shared_state
from playground.arena.code import SharedArena, parse_arena_query
from playground.arena.pairs import contender_rows
from playground.arena.ranking import PROVISIONAL_BELOW
from playground.arena.votes import VOTE_CAP, WINNERS
from playground.input.form_values import PARAMETER_FIELDS
from playground.input.request import DEFAULT_PROVIDER

CONTENDER_HEADERS = ["Model", "Provider", "Mode"]
LEADERBOARD_HEADERS = ["Rank", "Contender", "Score", "95% interval", "Votes", "Wins", "Ties", "Note"]


@dataclass(frozen=True)
class ArenaPane:
    key: str
    status: gr.HTML
    output: gr.Textbox
    stats: gr.Markdown
    reveal: gr.Markdown  # empty until the vote


@dataclass(frozen=True)
class ArenaPanel:
    contenders: gr.Dataframe
    system_prompt: gr.Textbox
    prompt: gr.Textbox
    generate: gr.Button
    new_pair: gr.Button
    stop: gr.Button
    status: gr.HTML
    panes: list[ArenaPane]
    votes: dict[str, gr.Button]  # by label: "A is better", "B is better", "Tie", "Both are bad"
    leaderboard: gr.Dataframe
    win_rates: gr.Dataframe
    stored: gr.BrowserState  # the votes, in this browser
    download: gr.DownloadButton
    upload: gr.UploadButton
    clear: gr.Button
    confirm_clear: gr.Button
    cancel_clear: gr.Button
    share_link: gr.Textbox
    code: gr.Code
    show_code: gr.Button
    round: gr.State  # the round in progress (playground.arena.rounds.Round): on the server only
    live: gr.State  # the cancel flag of the round in progress: this tab's Stop sets it

    def run_outputs(self) -> list[Any]:
        return [self.status, self.round, self.live, *self.votes.values(),
                *[c for p in self.panes for c in (p.status, p.output, p.stats, p.reveal)]]


def votes_store() -> gr.BrowserState:
    """The votes kept in this browser. Built outside the tabs: a component inside a tab not yet shown
    is not mounted when the page loads, so it would read as empty then."""
    return gr.BrowserState([], storage_key="inference-playground-arena-votes")


def build(default_models: list[str], stored: gr.BrowserState) -> ArenaPanel:
    """`stored`: `votes_store()`, built outside the tabs."""
    rows = [[model, DEFAULT_PROVIDER, ""] for model in dict.fromkeys(default_models)][:3]
    contenders = gr.Dataframe(value=rows, headers=CONTENDER_HEADERS, datatype="str", type="array", interactive=True,
                              label="Contenders", elem_id="pg-arena-contenders", column_count=3, row_count=len(rows))
    gr.Markdown("Two or more, one per row: a Hub ID, an endpoint URL or the built-in model. Provider empty: auto. "
                "Mode empty: follows the model. Which two answer, and which is A, stays hidden until you vote.")
    system_prompt = gr.Textbox(label="System prompt", lines=2, elem_id="pg-arena-system", placeholder="You are a helpful assistant.")
    prompt = gr.Textbox(label="Prompt", lines=3, elem_id="pg-arena-prompt", placeholder="Both contenders get this prompt.")
    with gr.Row():
        generate = gr.Button("Generate", variant="primary", elem_id="pg-arena-generate")
        new_pair = gr.Button("New pair", elem_id="pg-arena-new-pair")
        stop = gr.Button("Stop", elem_id="pg-arena-stop", **STOP_IDLE)
    with gr.Column(elem_id="pg-arena-round"):  # the part of the page that must stay blind until the vote
        status = gr.HTML("", padding=False, elem_id="pg-arena-status")
        with gr.Row(equal_height=False):
            panes = [_build_pane(key) for key in ("A", "B")]
        with gr.Row():
            votes = {label: gr.Button(label, interactive=False, elem_id=f"pg-arena-{label.lower().replace(' ', '-')}")
                     for label in WINNERS}
    leaderboard, win_rates = _build_leaderboard()
    with gr.Row():
        download = gr.DownloadButton("Download votes", interactive=False, size="sm", elem_id="pg-arena-download")
        upload = gr.UploadButton("Import votes", file_types=[".jsonl", ".json", ".txt"], size="sm", elem_id="pg-arena-import")
        clear = gr.Button("Clear votes", size="sm", variant="stop", elem_id="pg-arena-clear")
        confirm_clear = gr.Button("Yes, clear every vote", size="sm", variant="stop", visible=False, elem_id="pg-arena-confirm-clear")
        cancel_clear = gr.Button("Keep them", size="sm", visible=False, elem_id="pg-arena-cancel-clear")
    with gr.Accordion("Share this arena and View code", open=False, elem_id="pg-arena-code-box"):
        share_link = gr.Textbox(label="Share link", interactive=False, buttons=["copy"], elem_id="pg-arena-share-link",
                                info="Opens the Arena with these contenders and prompt. Holds no vote and no token.")
        show_code = gr.Button("View code", size="sm")
        code = gr.Code(language="python", label="Python (huggingface_hub)", elem_id="pg-arena-code")
    return ArenaPanel(contenders, system_prompt, prompt, generate, new_pair, stop, status, panes, votes, leaderboard, win_rates,
                      stored, download, upload, clear, confirm_clear, cancel_clear, share_link, code, show_code, gr.State(None),
                      gr.State(None))


def _build_pane(key: str) -> ArenaPane:
    with gr.Column(min_width=240, elem_id=f"pg-arena-pane-{key.lower()}"):
        status = gr.HTML("", padding=False, elem_id=f"pg-arena-{key.lower()}-status")  # always shown (see compare_panel)
        output = gr.Textbox(label=f"Answer {key}", lines=10, interactive=False, buttons=["copy"], elem_id=f"pg-arena-{key.lower()}-output")
        stats = gr.Markdown(elem_id=f"pg-arena-{key.lower()}-stats")
        reveal = gr.Markdown(elem_id=f"pg-arena-{key.lower()}-reveal")
    return ArenaPane(key, status, output, stats, reveal)


def _build_leaderboard() -> tuple[gr.Dataframe, gr.Dataframe]:
    with gr.Accordion("Leaderboard", open=True, elem_id="pg-arena-leaderboard-box"):
        leaderboard = gr.Dataframe(headers=LEADERBOARD_HEADERS, value=[], interactive=False, elem_id="pg-arena-leaderboard",
                                   label=f"Leaderboard (Bradley–Terry, Elo scale; fewer than {PROVISIONAL_BELOW} votes: provisional; "
                                         f"votes kept in this browser, the last {VOTE_CAP})")
        win_rates = gr.Dataframe(value=[], interactive=False, elem_id="pg-arena-win-rates",
                                 label="Win rate of the row's contender against the column's (ties count half)")
    return leaderboard, win_rates


def wire(ctx: RunContext, page: Page) -> None:
    """Generate and New pair stream a round (they join `ctx.streams`, so the page's Stop ends them too);
    the votes, leaderboard and vote files are wired by components/arena_votes.py. The round's events
    stay off the documented API: a round's pair is kept in the visitor's session."""
    panel, form = page.arena, page.form
    # "mode": the Playground's Mode, for a contender whose mode follows the model when the Hub can't tell.
    inputs = {"contenders": panel.contenders, "system_prompt": panel.system_prompt, "prompt": panel.prompt, "mode": form["mode"],
              **form.by_name(PARAMETER_FIELDS), **page.auth.inputs()}
    handler = make_round_handler(ctx, panel)
    runs = []
    for button in (panel.generate, panel.new_pair):
        arm_stop(button.click, panel.stop)
        runs.append(ctx.streaming(button.click(handler, inputs_kwargs=inputs, outputs=panel.run_outputs(), api_visibility="undocumented")))
    panel.contenders.change(system_prompt_visibility, inputs=panel.contenders, outputs=panel.system_prompt, queue=False,
                            api_visibility="undocumented")

    def code_for(values: Mapping[str, Any], url: str) -> dict:
        return round_code(ctx, panel, values, url)

    wire_stop_and_code(panel, inputs, code_for, *runs)
    wire_votes(ctx, page)
    link_outputs = [page.tabs, panel.contenders, panel.prompt, panel.system_prompt, panel.status]

    def open_link(request: gr.Request) -> dict:
        return open_arena_link(ctx, page, arena_query(request), shared_state(request))

    page.demo.load(open_link, inputs=None, outputs=link_outputs, queue=False, api_visibility="undocumented")


def arena_query(request: gr.Request) -> SharedArena:
    shared = parse_arena_query(request.query_params)
    if not shared.opens:  # as in share_code.shared_state: the load event's URL may lack the page's query
        shared = parse_arena_query(parse_qs(urlsplit(request.headers.get("referer", "")).query))
    return shared


def open_arena_link(ctx: RunContext, page: Page, shared: SharedArena, playground: Any) -> dict:
    """An Arena link selects the tab and fills the contenders and prompts (saying so when one is
    another host's endpoint URL); it never holds votes."""
    if not shared.opens:
        return gr.skip()
    panel = page.arena
    note = "Opened from a share link." + (" Ignored: " + "; ".join(shared.problems) if shared.problems else "")
    note += first_foreign_host_note(ctx, [contender.model for contender in shared.contenders], LINK)
    updates: dict = {page.tabs: gr.Tabs(selected=ARENA_TAB), panel.status: info_html(note)}
    if len(shared.contenders) >= 2:
        updates[panel.contenders] = contender_rows(shared.contenders)
    if playground.prompt is not None:
        updates[panel.prompt] = playground.prompt
    if playground.system_prompt is not None:
        updates[panel.system_prompt] = playground.system_prompt
    return updates

"""The "Arena" tab: blind rounds between two of the "Contenders" on the visitor's prompt, votes, a leaderboard.

"Generate" (and "New pair") draws two different contenders at random and streams both, with the
same request, as "Answer A" and "Answer B", each with its own status card and stats, through the
Compare machinery (the scheduler; Stop ends both). Nothing in the round's part of the page names a
contender before the vote (components/arena_round.py). The four vote buttons, the reveal, the
"Leaderboard" and the votes kept in this browser are components/arena_votes.py.

The tab is drawn the first time a visitor opens it (components/on_demand.py), so its components
and events stay out of the page's first config: `build` declares the place, `wire` opens it from
the tab and from an Arena share link, and `draw` builds the panel and wires its events there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.arena_round import make_round_handler, round_code, system_prompt_visibility
from components.arena_votes import board_values, wire_votes
from components.context import QUIET, STOP_IDLE, RunContext
from components.messages import info_html
from components.on_demand import OnDemand, opened_flag, opening, relay
from components.page import ARENA_TAB, Page
from components.page_open import ON_OPEN, on_link
from components.runs_form import drawn_tab_run, idle_stop, wire_stop_and_code
from components.share_code import LINK, first_foreign_host_note
from components.style import big_classes, big_text_update
from components.text_sync import join_mirror
from playground.arena.code import SharedArena, parse_arena_query
from playground.arena.pairs import contender_rows
from playground.arena.ranking import PROVISIONAL_BELOW
from playground.arena.votes import VOTE_CAP, WINNERS
from playground.input.form_values import PARAMETER_FIELDS
from playground.input.request import DEFAULT_PROVIDER
from playground.saved.share import parse_share_query

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


@dataclass(frozen=True)
class ArenaSeed:
    """What the Arena's drawing takes from the page: the Prompt and System prompt typed so far, Big
    text, and an Arena share link's contenders (None: the default ones) and note."""

    prompt: str = ""
    system_prompt: str = ""
    big: bool = False
    contenders: list[list[str]] | None = None
    note: str = ""


@dataclass(frozen=True)
class ArenaHooks:
    """What the Arena needs on the page from the start, built outside the tabs: the votes kept in this
    browser (a component inside a tab not yet shown is not mounted when the page loads, so it would
    read as empty then), whether the panel is drawn, and the relays through which the page reaches
    the drawn panel (components/on_demand.py): the Prompt and System prompt typed elsewhere, Big text,
    and a count of the page's Stop clicks."""

    stored: gr.BrowserState
    opened: gr.Checkbox
    prompt: gr.Textbox
    system_prompt: gr.Textbox
    big: gr.Checkbox
    stops: gr.Number


@dataclass(frozen=True)
class ArenaTab:
    """The Arena until a visitor opens it: the tab, the place its panel is drawn in, the contenders
    it starts with and its hooks on the page."""

    tab: gr.Tab
    place: OnDemand
    default_models: tuple[str, ...]
    hooks: ArenaHooks


def hooks() -> ArenaHooks:
    """Built outside the tabs (see ArenaHooks)."""
    return ArenaHooks(gr.BrowserState([], storage_key="inference-playground-arena-votes"), opened_flag(), relay(gr.Textbox, ""),
                      relay(gr.Textbox, ""), relay(gr.Checkbox, False), relay(gr.Number, 0))


def build(tab: gr.Tab, default_models: list[str], outside: ArenaHooks) -> ArenaTab:
    """Inside `tab`; `outside`: `hooks()`, built outside the tabs. Declares where the panel will be
    drawn; `draw` builds it."""
    return ArenaTab(tab, OnDemand(outside.opened, outside.stored), tuple(dict.fromkeys(default_models)), outside)


def build_panel(arena: ArenaTab, seed: ArenaSeed, kept_votes: Any) -> ArenaPanel:
    """The panel, as drawn on first open (see `draw`); `kept_votes`: those this browser holds."""
    board = board_values(kept_votes)
    rows = seed.contenders or [[model, DEFAULT_PROVIDER, ""] for model in arena.default_models][:3]
    contenders = gr.Dataframe(value=rows, headers=CONTENDER_HEADERS, datatype="str", type="array", interactive=True,
                              label="Contenders", elem_id="pg-arena-contenders", column_count=3, row_count=len(rows))
    gr.Markdown("Two or more, one per row: a Hub ID, an endpoint URL or the built-in model. Provider empty: auto. "
                "Mode empty: follows the model. Which two answer, and which is A, stays hidden until you vote.")
    # interactive=True: Gradio infers it from the events a box feeds, but not for one drawn by gr.render.
    system_prompt = gr.Textbox(seed.system_prompt, label="System prompt", lines=2, elem_id="pg-arena-system", interactive=True,
                               placeholder="You are a helpful assistant.", visible=system_prompt_visibility(rows)["visible"])
    prompt = gr.Textbox(seed.prompt, label="Prompt", lines=3, elem_id="pg-arena-prompt", placeholder="Both contenders get this prompt.",
                        interactive=True)
    with gr.Row():
        generate = gr.Button("Generate", variant="primary", elem_id="pg-arena-generate")
        new_pair = gr.Button("New pair", elem_id="pg-arena-new-pair")
        stop = gr.Button("Stop", elem_id="pg-arena-stop", **STOP_IDLE)
    with gr.Column(elem_id="pg-arena-round"):  # the part of the page that must stay blind until the vote
        status = gr.HTML(info_html(seed.note) if seed.note else "", padding=False, elem_id="pg-arena-status")
        with gr.Row(equal_height=False):
            panes = [_build_pane(key, seed.big) for key in ("A", "B")]
        with gr.Row():
            votes = {label: gr.Button(label, interactive=False, elem_id=f"pg-arena-{label.lower().replace(' ', '-')}")
                     for label in WINNERS}
    leaderboard, win_rates = _build_leaderboard(board)
    with gr.Row():
        download = gr.DownloadButton("Download votes", value=board["download"], interactive=board["download"] is not None, size="sm",
                                     elem_id="pg-arena-download")
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
                      arena.hooks.stored, download, upload, clear, confirm_clear, cancel_clear, share_link, code, show_code, gr.State(None),
                      gr.State(None))


def _build_pane(key: str, big: bool) -> ArenaPane:
    with gr.Column(min_width=240, elem_id=f"pg-arena-pane-{key.lower()}"):
        status = gr.HTML("", padding=False, elem_id=f"pg-arena-{key.lower()}-status")  # always shown (see compare_panel)
        output = gr.Textbox(label=f"Answer {key}", lines=10, interactive=False, buttons=["copy"], elem_id=f"pg-arena-{key.lower()}-output",
                            elem_classes=big_classes(big))
        stats = gr.Markdown(elem_id=f"pg-arena-{key.lower()}-stats")
        reveal = gr.Markdown(elem_id=f"pg-arena-{key.lower()}-reveal")
    return ArenaPane(key, status, output, stats, reveal)


def _build_leaderboard(board: dict[str, Any]) -> tuple[gr.Dataframe, gr.Dataframe]:
    with gr.Accordion("Leaderboard", open=True, elem_id="pg-arena-leaderboard-box"):
        leaderboard = gr.Dataframe(headers=LEADERBOARD_HEADERS, value=board["leaderboard"], interactive=False, elem_id="pg-arena-leaderboard",
                                   label=f"Leaderboard (Bradley–Terry, Elo scale; fewer than {PROVISIONAL_BELOW} votes: provisional; "
                                         f"votes kept in this browser, the last {VOTE_CAP})")
        win_rates = gr.Dataframe(value=board["win_rates"], interactive=False, elem_id="pg-arena-win-rates",
                                 label="Win rate of the row's contender against the column's (ties count half)")
    return leaderboard, win_rates


def wire(ctx: RunContext, page: Page) -> None:
    """Opening the tab, or an Arena share link, draws the panel (see `draw`), seeded with the page's
    Prompt, System prompt and Big text, or with the link's contenders and prompts."""
    arena = page.arena
    place = arena.place
    place.set_drawing(lambda seed, stored: draw(ctx, page, seed, stored))

    def open_tab(opened: Any, prompt: Any, system_prompt: Any, big: Any) -> list[Any]:
        return opening(opened, ArenaSeed(str(prompt or ""), str(system_prompt or ""), big is True))

    def open_link(query: dict[str, list[str]], opened: Any) -> list[Any]:
        return open_arena_link(ctx, parse_arena_query(query), parse_share_query(query), opened)

    arena.tab.select(open_tab, inputs=[place.opened, page.run.prompt, page.model.system_prompt, page.big_text.toggle],
                     outputs=[place.seed, place.opened], **ON_OPEN)
    on_link(page, open_link, [place.opened], [page.tabs, place.seed, place.opened])


def draw(ctx: RunContext, page: Page, seed: Any, stored: Any) -> None:
    """Builds the panel where the tab's place is and wires its events: the rounds (counted by the page's Stop), Stop and View code,
    the votes, and the ties to the rest of the page (the page's Stop, the mirrored prompts, Big text)."""
    panel = build_panel(page.arena, seed if isinstance(seed, ArenaSeed) else ArenaSeed(), stored)
    # "mode": the Playground's Mode, for a contender whose mode follows the model when the Hub can't tell.
    inputs = {"contenders": panel.contenders, "system_prompt": panel.system_prompt, "prompt": panel.prompt, "mode": page.form["mode"],
              **page.form.by_name(PARAMETER_FIELDS), **page.auth.inputs()}
    handler = make_round_handler(ctx, panel)
    runs = [drawn_tab_run(page, button.click, handler, inputs, panel) for button in (panel.generate, panel.new_pair)]  # never recorded
    panel.contenders.change(system_prompt_visibility, inputs=panel.contenders, outputs=panel.system_prompt, queue=False,
                            api_visibility="undocumented")

    def code_for(values: Mapping[str, Any], url: str) -> dict:
        return round_code(ctx, panel, values, url)

    wire_stop_and_code(panel, inputs, code_for, *runs)
    wire_votes(ctx, panel)
    _join_page(page, panel, runs)


def _join_page(page: Page, panel: ArenaPanel, runs: list[Any]) -> None:
    """Through the hooks' relays: the page's Stop ends the rounds and quiets this tab's Stop; the
    prompts stay one with the other tabs'; Big text reaches the answers."""
    hooks = page.arena.hooks
    hooks.stops.change(idle_stop, inputs=None, outputs=panel.stop, cancels=runs, **QUIET)
    join_mirror(page.prompt_boxes(), panel.prompt, hooks.prompt)
    join_mirror(page.system_prompt_boxes(), panel.system_prompt, hooks.system_prompt)
    enlarged = [pane.output for pane in panel.panes]

    def enlarge(big: bool) -> list[Any]:
        return [big_text_update(target, big) for target in enlarged]

    hooks.big.change(enlarge, inputs=hooks.big, outputs=enlarged, **QUIET)


def open_arena_link(ctx: RunContext, shared: SharedArena, playground: Any, opened: Any) -> list[Any]:
    """[tabs, seed, opened]: an Arena link selects the tab and draws it with the link's contenders and
    prompts (saying so when one is another host's endpoint URL); it never holds votes."""
    if not shared.opens:
        return [gr.skip()] * 3
    note = "Opened from a share link." + (" Ignored: " + "; ".join(shared.problems) if shared.problems else "")
    note += first_foreign_host_note(ctx, [contender.model for contender in shared.contenders], LINK)
    seed = ArenaSeed(prompt=playground.prompt or "", system_prompt=playground.system_prompt or "", note=note,
                     contenders=contender_rows(shared.contenders) if len(shared.contenders) >= 2 else None)
    return [gr.Tabs(selected=ARENA_TAB), *opening(opened, seed)]

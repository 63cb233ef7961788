"""The page: every built panel, and the few things they share.

app.py builds each panel inside the layout, makes the `Page`, then calls each panel's
`wire(ctx, page)` in order. A panel reaches another panel's components through the Page, never by
importing that panel. The panel types below are named for readers and type checkers only: at run
time this module imports no panel, so every panel can import it without an import circle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import gradio as gr

if TYPE_CHECKING:  # names only (see above)
    from components.arena_panel import ArenaTab
    from components.auth_panel import AuthPanel
    from components.big_text import BigText
    from components.chat_view import ChatPanel
    from components.code_panel import CodePanel
    from components.compare_tab import CompareTab
    from components.form import Form
    from components.format_panel import FormatPanel
    from components.group_history_panel import GroupHistoryPanel
    from components.history_panel import HistoryPanel
    from components.model_panel import ModelPanel
    from components.parameters_panel import ParametersPanel
    from components.preflight_panel import PreflightPanel
    from components.presets_panel import PresetsPanel
    from components.probs_panel import ProbsPanel
    from components.run_panel import RunPanel
    from components.search_panel import SearchPanel
    from components.sweep_tab import SweepTab

# The tabs' ids: a restored Compare run or sweep, or a link to one, selects its tab.
PLAYGROUND_TAB = "playground"
COMPARE_TAB = "compare"
SWEEP_TAB = "sweep"
ARENA_TAB = "arena"


@dataclass(frozen=True)
class Page:
    """Every panel as built, with the Blocks (`demo`, for load and unload events), the tabs, the
    `Form` (every control a request reads), `finished_run`, the State a finished single run's
    history entry goes to (None when the run failed or was stopped), and `link`, the query of the
    share link the page was opened with (components/page_open.py)."""

    demo: gr.Blocks
    tabs: gr.Tabs
    auth: AuthPanel
    model: ModelPanel
    search: SearchPanel
    response_format: FormatPanel
    run: RunPanel
    probs: ProbsPanel
    chat: ChatPanel
    code: CodePanel
    compare: CompareTab  # drawn on first open (components/on_demand.py)
    sweep: SweepTab  # drawn on first open (components/on_demand.py)
    arena: ArenaTab  # drawn on first open (components/on_demand.py)
    big_text: BigText
    preflight: PreflightPanel
    presets: PresetsPanel
    params: ParametersPanel
    history: HistoryPanel
    group_history: GroupHistoryPanel
    form: Form
    finished_run: gr.State
    link: gr.Textbox

    def prompt_boxes(self) -> list[gr.Textbox]:
        """The Prompt boxes on the page from the start, and the relays of the tabs drawn on demand: one prompt for every tab."""
        return [self.run.prompt, self.compare.hooks.prompt, self.sweep.hooks.prompt, self.arena.hooks.prompt]

    def system_prompt_boxes(self) -> list[gr.Textbox]:
        """The System prompt box on the page from the start, and the relays of the tabs drawn on demand."""
        return [self.model.system_prompt, self.compare.hooks.system_prompt, self.arena.hooks.system_prompt]

"""Gradio only: one module per panel, each building its components and wiring its events.

Every panel module exposes `build(...)`, which returns its components as a small frozen dataclass,
and `wire(ctx, page)`. app.py builds each panel in its place, gathers them in a
`components.page.Page`, then calls each panel's `wire` in order; a panel reaches another's
components through the Page. What every panel shares (`RunContext`, the visitor's token, the
checked request) is in `components.context`; no panel imports another (tests/structure/test_panel_contract.py).

The panels talk to the plain-Python core in `playground/`; nothing here decides retries,
validates parameters by hand or calls InferenceClient.
"""

"""A generation parameter is declared once, in `playground.input.params.GenerationParams`, and
everything else is built from that declaration: the form's fields, the controls, the
InferenceClient call and the local server's schema.

The rule kept here: no parameter name is spelled in more than 3 product source files (its
declaration plus an engine's own mapping). "Spelled" means in code: a name, an attribute, a
keyword, or a string that is not a docstring; comments and docstrings may talk about parameters.
"""

from __future__ import annotations

import ast
import random
import re
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest

from playground.input.form_values import PARAMETER_FIELDS, FormValues, parameter_form_values, request_from_form
from playground.input.params import PARAMS, Control, GenerationParams, field_bounds, field_help, field_label
from playground.input.request import GenerationRequest, Mode, client_call
from playground.local import protocol

ROOT = Path(__file__).resolve().parent.parent.parent
# The product's sources, and the docs' scripts, which drive the app as a visitor would.
PRODUCT = [ROOT / "app.py", *(path for folder in ("components", "playground", "benchmarks", "docs") for path in sorted((ROOT / folder).rglob("*.py")))]
# The modules that carry parameters from the declaration to the page, the wire and back: none may
# name a parameter, so adding one changes none of them.
PLUMBING = [ROOT / path for path in (
    "playground/input/form_values.py", "playground/input/request.py", "components/parameters_panel.py", "components/form.py",
    "playground/saved/share.py", "playground/saved/presets.py", "playground/saved/history.py", "playground/saved/snippets.py",
)]  # fmt: skip
# Parameters that are also features of their own, spelled where those features live; for them the
# count does not apply, but the plumbing above still names none of them.
FEATURES = {
    "temperature": "Sweep varies it, Compare and Sweep show it per run, the benchmarks set it",
    "seed": "every run reports and replays the seed it used",
    "max_new_tokens": "Chat checks an answer of this length fits the context; pre-flight asks for 1 token",
    "stop": "also the Stop button's name and the local server's stop()",
}


def _docstrings(tree: ast.AST) -> set[int]:
    return {id(node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}


def spells(path: Path, name: str) -> bool:
    """Whether the code of `path` spells `name` (see the module's docstring)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings, word = _docstrings(tree), re.compile(rf"\b{re.escape(name)}\b")
    for node in ast.walk(tree):
        spelled = {ast.Name: "id", ast.Attribute: "attr", ast.keyword: "arg", ast.arg: "arg", ast.FunctionDef: "name", ast.ClassDef: "name"}
        if type(node) in spelled and getattr(node, spelled[type(node)]) == name:
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings and word.search(node.value):
            return True
    return False


@pytest.mark.parametrize("name", [name for name in GenerationParams.model_fields if name not in FEATURES])
def test_no_parameter_is_spelled_in_more_than_three_product_files(name: str) -> None:
    files = [str(path.relative_to(ROOT)) for path in PRODUCT if spells(path, name)]
    assert "playground/input/params.py" in files
    assert len(files) <= 3, f"{name} is spelled in {files}"


@pytest.mark.parametrize("name", GenerationParams.model_fields)
def test_the_parameter_plumbing_names_no_parameter(name: str) -> None:
    assert [str(path.relative_to(ROOT)) for path in PLUMBING if spells(path, name)] == []


def test_the_feature_list_names_only_parameters_spelled_widely() -> None:
    """Keeps the exemption honest: each listed parameter really is spelled in more than 3 files."""
    assert set(FEATURES) <= set(GenerationParams.model_fields)
    for name in FEATURES:
        assert sum(spells(path, name) for path in PRODUCT) > 3, name


def test_the_rule_sees_code_and_not_prose(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text('"""Mentions top_k."""\n# top_k again\nx = {"a": 1}\n', encoding="utf-8")
    assert not spells(source, "top_k")
    for code in ('y = params.top_k\n', 'f(top_k=1)\n', 'd = {"top_k": 0}\n', 'def g(top_k): ...\n', 'top_k = 1\n'):
        source.write_text(code, encoding="utf-8")
        assert spells(source, "top_k"), code


# ---- what is built from the declaration ---------------------------------------------------------


def test_every_field_declares_how_it_is_shown_and_sent() -> None:
    assert list(PARAMS) == list(GenerationParams.model_fields)
    for name, param in PARAMS.items():
        assert param.in_completion or param.in_chat, name
        assert field_label(name) != name and field_help(name), name


def test_the_form_has_each_parameter_in_declaration_order_with_its_random_box() -> None:
    expected = []
    for name, param in PARAMS.items():
        expected += [name, param.random_box.field] if param.random_box else [name]
    assert PARAMETER_FIELDS == tuple(expected)
    assert tuple(FormValues.__dataclass_fields__)[-len(PARAMETER_FIELDS):] == PARAMETER_FIELDS


def test_the_form_round_trips_every_parameter_at_a_value_other_than_its_default() -> None:
    changed = {name: _other_value(name) for name in PARAMS}
    params = GenerationParams(**changed)
    form = FormValues(model="org/name", provider="auto", mode="Completion", prompt="Hi", **parameter_form_values(params, random_seed=False))
    assert request_from_form(form).params == params


def _other_value(name: str) -> object:
    """A valid value that is not the default: the highest, or halfway when that is the default."""
    if PARAMS[name].control is Control.TEXTBOX:
        return ("END",)
    if PARAMS[name].control is Control.CHECKBOX:
        return not GenerationParams.model_fields[name].default
    low, high = field_bounds(name)
    assert low is not None and high is not None
    value = high if high != GenerationParams.model_fields[name].default else (low + high) / 2
    return int(value) if GenerationParams.model_fields[name].annotation in (int, int | None) else value


def test_the_controls_follow_the_declarations() -> None:
    from components.parameters_panel import CHAT_UNSENT, build

    with gr.Blocks() as demo:
        panel = build()
    assert list(panel.controls()) == list(PARAMETER_FIELDS)
    (advanced,) = [block for block in demo.blocks.values() if isinstance(block, gr.Accordion)]
    inside = {id(child) for child in _descendants(advanced)}
    kinds = {Control.SLIDER: gr.Slider, Control.NUMBER: gr.Number, Control.TEXTBOX: gr.Textbox, Control.CHECKBOX: gr.Checkbox}
    for name, param in PARAMS.items():
        control = panel[name]
        assert isinstance(control, kinds[param.control]) and control.label == field_label(name), name
        assert (id(control) in inside) == param.advanced, name
        if param.control is Control.SLIDER:
            assert control.step == param.step and control.maximum == field_bounds(name)[1], name
    assert CHAT_UNSENT == tuple(name for name, param in PARAMS.items() if param.chat is None)


def _descendants(block: gr.blocks.BlockContext) -> list:
    children = list(getattr(block, "children", []))
    return children + [item for child in children for item in _descendants(child)]


def test_the_panel_has_the_page_contract_and_the_form_builds_from_the_page() -> None:
    from components import format_panel, model_panel, parameters_panel
    from components.form import Form

    with gr.Blocks() as demo:
        model = model_panel.build([("a/b", "a/b")], "a/b")
        params = parameters_panel.build()
        page = SimpleNamespace(demo=demo, model=model, params=params, run=SimpleNamespace(prompt=gr.Textbox(label="Prompt")),
                               response_format=format_panel.build(model.mode))
        parameters_panel.wire(None, page)  # type: ignore[arg-type]  # the panel reads no context
        form = Form.build(page.model, page.params, page.run.prompt, page.response_format)
    assert [form[name] for name in PARAMETER_FIELDS] == form.parameter_inputs()
    wired = [fn for fn in demo.fns.values() if fn.fn is parameters_panel.chat_unsent_controls]
    assert len(wired) == 1 and [block._id for block in wired[0].inputs] == [model.mode._id]


@pytest.mark.parametrize("mode", list(Mode))
def test_the_call_sends_each_parameter_by_its_declared_wire_name_unless_it_is_off(mode: Mode) -> None:
    protocol_name = "tgi" if mode is Mode.COMPLETION else "chat"
    params = GenerationParams(**{name: _other_value(name) for name in PARAMS})
    sent = client_call(GenerationRequest(model="org/name", prompt="Hi", mode=mode, params=params)).kwargs
    for name, param in PARAMS.items():
        keyword = param.wire_name(protocol_name)
        if keyword is not None and param.sends_when_on:  # an option whose wire values are declared beside it
            assert param.wire_values(protocol_name, getattr(params, name)).items() <= sent.items(), name
        elif keyword is not None:
            value = getattr(params, name)
            assert sent[keyword] == (list(value) if isinstance(value, tuple) else value), name
    at_defaults = client_call(GenerationRequest(model="org/name", prompt="Hi", mode=mode)).kwargs
    for name, param in PARAMS.items():
        if param.is_off(GenerationParams.model_fields[name].default):
            assert param.wire_name(protocol_name) not in at_defaults, name


def test_the_local_server_takes_each_declared_sampler_option_by_its_wire_name() -> None:
    options = {name: param for name, param in PARAMS.items() if param.llama}
    tgi = protocol.TextGenerationParameters.model_validate(
        {param.tgi: _other_value(name) for name, param in options.items() if param.tgi} | {"temperature": 0.5})
    sampling = tgi.to_sampling(random.Random(0))
    assert {param.llama for param in options.values() if param.tgi} <= set(sampling.options)
    chat = protocol.ChatRequest.model_validate(
        {"messages": [{"role": "user", "content": "Hi"}]} | {param.chat: _other_value(name) for name, param in options.items() if param.chat})
    assert {param.llama for param in options.values() if param.chat} <= set(chat.to_sampling(random.Random(0)).options)


def test_a_greedy_local_run_leaves_sampling_filters_out() -> None:
    filters = {name: param for name, param in PARAMS.items() if param.sampling_filter and param.tgi}
    body = protocol.TextGenerationParameters.model_validate({param.tgi: _other_value(name) for name, param in filters.items()} | {"temperature": 0})
    assert not set(body.to_sampling(random.Random(0)).options) & {param.llama for param in filters.values()}

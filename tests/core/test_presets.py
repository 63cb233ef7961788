"""Presets: the shipped files, the schema that checks them, export and import."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import ValidationError

from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode
from playground.saved.presets import (
    Preset,
    apply_preset,
    load_presets,
    preset_from_request,
    preset_to_dict,
    presets_from_data,
    presets_from_yaml,
    presets_to_yaml,
    slugify,
)

SHIPPED = Path(__file__).resolve().parent.parent.parent / "presets"

GOOD = """\
name: steady
label: Steady
description: Calm sampling.
params:
  temperature: 0.3
  max_new_tokens: 100
"""


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def problem_fields(load) -> set[tuple[str, str]]:
    return {(problem.file, problem.field) for problem in load.problems}


def test_every_shipped_preset_loads_without_a_problem() -> None:
    load = load_presets(SHIPPED)
    assert load.problems == []
    names = {preset.name for preset in load.presets}
    assert {"precise", "balanced", "creative", "code"} <= names
    assert len([name for name in names if name.startswith("demo-")]) >= 2


def test_precise_preset_is_greedy() -> None:
    precise = next(p for p in load_presets(SHIPPED).presets if p.name == "precise")
    assert apply_preset(precise, GenerationParams()).temperature == 0.0


def test_demo_presets_come_with_example_prompts() -> None:
    demos = [p for p in load_presets(SHIPPED).presets if p.name.startswith("demo-")]
    assert demos and all(demo.examples for demo in demos)
    assert any(demo.mode is Mode.CHAT and demo.system_prompt for demo in demos)


def test_a_broken_file_is_reported_by_file_and_field_and_the_good_ones_still_load(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(tmp_path, "good.yaml", GOOD)
    write(tmp_path, "hot.yaml", GOOD.replace("steady", "hot").replace("0.3", "9.5"))
    write(tmp_path, "typo.yaml", GOOD.replace("steady", "typo").replace("description", "descriptoin"))
    write(tmp_path, "broken.yaml", "name: [unclosed\n")
    write(tmp_path, "list.yaml", "- just\n- a list\n")
    with caplog.at_level(logging.WARNING, logger="playground.saved.presets"):
        load = load_presets(tmp_path)
    assert [preset.name for preset in load.presets] == ["steady"]
    assert problem_fields(load) == {
        ("hot.yaml", "params.temperature"),
        ("typo.yaml", "descriptoin"),
        ("broken.yaml", "(yaml)"),
        ("list.yaml", "(root)"),
    }
    assert "hot.yaml: params.temperature" in caplog.text
    assert next(p.message for p in load.problems if p.file == "broken.yaml").startswith("line 2, column 1")


def test_an_unknown_parameter_is_refused_by_name(tmp_path: Path) -> None:
    write(tmp_path, "odd.yaml", GOOD + "  top_q: 0.5\n")
    load = load_presets(tmp_path)
    assert load.presets == []
    assert problem_fields(load) == {("odd.yaml", "params.top_q")}


@pytest.mark.parametrize(
    "param, value",
    [("top_p", "0"), ("max_new_tokens", "0"), ("max_new_tokens", "100000"), ("seed", "-1"), ("repetition_penalty", "3"), ("top_k", "lots")],
)
def test_an_out_of_range_or_mistyped_value_is_refused(tmp_path: Path, param: str, value: str) -> None:
    write(tmp_path, "bad.yaml", GOOD + f"  {param}: {value}\n")
    assert problem_fields(load_presets(tmp_path)) == {("bad.yaml", f"params.{param}")}


def test_required_fields_and_slug_names_are_checked(tmp_path: Path) -> None:
    write(tmp_path, "nolabel.yaml", "name: ok-name\n")
    write(tmp_path, "badname.yaml", "name: Not A Slug\nlabel: x\n")
    write(tmp_path, "badmodel.yaml", "name: m\nlabel: x\nmodel: not a model\n")
    write(tmp_path, "badmode.yaml", "name: n\nlabel: x\nmode: Poetry\n")
    assert problem_fields(load_presets(tmp_path)) == {
        ("nolabel.yaml", "label"),
        ("badname.yaml", "name"),
        ("badmodel.yaml", "model"),
        ("badmode.yaml", "mode"),
    }


def test_a_second_preset_with_the_same_name_is_reported_and_the_first_kept(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD.replace("Steady", "Steady again"))
    load = load_presets(tmp_path)
    assert [preset.label for preset in load.presets] == ["Steady"]
    assert problem_fields(load) == {("b.yaml", "name")}


def test_applying_a_preset_changes_only_what_it_sets() -> None:
    preset = Preset(name="p", label="P", params={"temperature": 1.2, "stop": ["END"]})
    base = GenerationParams(max_new_tokens=77, seed=5, top_k=10)
    applied = apply_preset(preset, base)
    assert applied == GenerationParams(temperature=1.2, stop=("END",), max_new_tokens=77, seed=5, top_k=10)


def test_export_then_import_gives_back_the_same_presets() -> None:
    shipped = load_presets(SHIPPED).presets
    tricky = Preset(
        name="tricky",
        label="Quotes \"and\" 'apostrophes': yes",
        params={"stop": ["\n\n", "#"], "seed": 123, "temperature": 0.25},
        model="https://example.com/endpoint?x=1",
        mode=Mode.COMPLETION,
        system_prompt="line one\n  indented line\ntrailing space \n",
        examples=["a: b", "- not a list", "multi\nline\n"],
    )
    load = presets_from_yaml(presets_to_yaml([*shipped, tricky]))
    assert load.problems == []
    assert load.presets == [*shipped, tricky]


def test_importing_a_single_preset_mapping_works() -> None:
    load = presets_from_yaml(GOOD)
    assert [preset.name for preset in load.presets] == ["steady"]


def test_a_broken_import_names_the_preset_and_field_and_keeps_the_rest() -> None:
    text = presets_to_yaml([Preset(name="fine", label="Fine")]) + "- name: bad\n  label: Bad\n  params: {temperature: -1}\n"
    load = presets_from_yaml(text, source="my-presets.yaml")
    assert [preset.name for preset in load.presets] == ["fine"]
    assert problem_fields(load) == {("my-presets.yaml (preset 2)", "params.temperature")}


@pytest.mark.parametrize(
    "text",
    ["", "42", "[" * 100_000, "name: x\nlabel: 2020-13-01\n", "[unclosed", "- 1\n- [2]\n", "!!python/object:os.system {}", "a" * 300_000],
)
def test_garbage_imports_give_problems_not_exceptions(text: str) -> None:
    load = presets_from_yaml(text)
    assert load.presets == [] and load.problems


def test_saving_the_current_settings_keeps_everything_needed_to_restore_them() -> None:
    request = GenerationRequest(
        model="test/chat-model",
        prompt="ignored",
        mode=Mode.CHAT,
        system_prompt="Be brief.",
        params=GenerationParams(temperature=0.4, seed=9, stop=("x",)),
    )
    preset = preset_from_request(slugify("My Chat (v2)!"), "My Chat (v2)!", request)
    assert preset.name == "my-chat-v2"
    assert (preset.model, preset.mode, preset.system_prompt) == ("test/chat-model", Mode.CHAT, "Be brief.")
    assert apply_preset(preset, GenerationParams()) == request.params
    assert "prompt" not in preset_to_dict(preset)


def test_a_saved_preset_needs_a_usable_name() -> None:
    with pytest.raises(ValidationError):
        preset_from_request("Has Spaces", "x", GenerationRequest(model="a/b", prompt=""))


def test_the_visitors_stored_presets_load_and_a_tampered_one_is_skipped() -> None:
    stored = [
        preset_to_dict(Preset(name="mine", label="Mine", params={"top_k": 5})),
        {"name": "evil", "label": "x", "params": {"temperature": 1e9}},
    ]
    load = presets_from_data(stored)
    assert [preset.name for preset in load.presets] == ["mine"]
    assert problem_fields(load) == {("browser (preset 2)", "params.temperature")}
    assert presets_from_data(None).presets == [] and presets_from_data(None).problems == []

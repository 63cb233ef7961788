"""The page's config leaves out what the page never reads (playground/patches/lean_config.py): the
API page's JSON schemas and event fields at their defaults. The page loads lighter (every browser
test runs on it), and the API page and gradio_client see what they saw before."""

from __future__ import annotations

import httpx
from gradio_client import Client
from gradio_client.utils import value_is_file

from playground.patches.lean_config import API_SCHEMAS, DEFAULT_EVENT_FIELDS
from tests.api_forms import FORM


def config_of(app_url: str) -> dict:
    return httpx.get(app_url + "config", timeout=10).json()


def test_the_page_config_carries_no_api_schema_but_a_file_s(app_url: str) -> None:
    components = config_of(app_url)["components"]
    with_schemas = [component for component in components if any(key in component for key in API_SCHEMAS)]
    assert with_schemas, "a file's schema stays (the Conversation, the Sweep's downloads)"
    for component in with_schemas:
        assert set(API_SCHEMAS) & set(component) == {"api_info"} and value_is_file(component["api_info"]), component["type"]
    assert len([component for component in components if component["type"] == "textbox"]) > 5
    assert not any("api_info" in component for component in components if component["type"] in {"textbox", "slider", "dropdown"})


def test_the_page_config_names_no_class_id_for_gradio_s_own_components(app_url: str) -> None:
    components = config_of(app_url)["components"]
    assert len(components) > 50 and not [component["type"] for component in components if "component_class_id" in component]


def test_the_page_config_sends_an_event_field_only_where_it_differs_from_the_default(app_url: str) -> None:
    events = config_of(app_url)["dependencies"]
    assert not [
        (event["id"], field)
        for event in events
        for field, default in DEFAULT_EVENT_FIELDS.items()
        if field in event and event[field] == default
    ]
    assert any("render_id" in event for event in events), "the Arena's drawing keeps its render id"
    read_by_clients = {
        "id",
        "targets",
        "inputs",
        "outputs",
        "backend_fn",
        "js",
        "queue",
        "api_name",
        "show_progress",
        "cancels",
        "types",
        "trigger_after",
        "trigger_mode",
        "api_visibility",
        "connection",
    }
    assert all(read_by_clients <= set(event) for event in events)


def test_the_api_page_still_describes_each_parameter_with_its_type_and_example(app_url: str) -> None:
    generate = httpx.get(app_url + "gradio_api/info", timeout=10).json()["named_endpoints"]["/generate"]
    kinds = {parameter["parameter_name"]: parameter["python_type"]["type"] for parameter in generate["parameters"]}
    assert kinds["prompt"] == "str" and kinds["temperature"] == "float" and kinds["random_seed"] == "bool"
    assert all("example_input" in parameter for parameter in generate["parameters"])
    assert [answer["python_type"]["type"] for answer in generate["returns"]][0] == "str"


def test_a_python_client_still_reads_the_api_and_calls_it(app_url: str) -> None:
    app = Client(app_url, verbose=False)
    endpoints = app.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert {"/generate", "/view_code", "/compare", "/sweep"} <= set(endpoints)
    form = {name: value for name, value in FORM.items() if name not in ("session_token", "endpoint_token")}  # not read by View code
    link, python, curl, javascript = app.predict(**{**form, "prompt": "Once upon a time"}, api_name="/view_code")
    assert "Once upon a time" in python

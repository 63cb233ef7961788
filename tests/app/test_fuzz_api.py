"""Fuzzing the app's HTTP API with hypothesis: whatever a caller sends, no 5xx, no traceback.

The app runs as on a Space, in its own process (tests.app_process), so its log is its own; the
protocol server on 127.0.0.1 is the only host it may reach. Model IDs are Hub IDs (answered by
the protocol server) or URLs whose hosts are IP literals or `localhost`, all loopback or private:
on a Space with an empty allowlist each is refused before anything connects, and no name needs
a DNS lookup (the only other host names, a 70-character label and an empty one, are refused by
their syntax before any lookup). Every case goes through Gradio's HTTP API (`/gradio_api/call/<name>`), as a
caller's would: a POST, then the event's stream read to its end. Every named event, `queue=False`
ones included, is also called directly (`/gradio_api/run/<name>`, the route the page uses for
events outside the queue), with values outside its components' choices and ranges. Hypothesis
draws every case first; the calls then go out a few at a time, as several visitors' would, and
each answer is checked as it comes.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from playground.input.form_values import FORM_FIELDS
from tests.conftest import TEST_TOKEN, AppProcess
from tests.protocol_server import ProtocolServer

FIELDS = list(FORM_FIELDS)  # /generate's form, in the API's order (the token fields follow)
VALID = {
    "model": "test/tiny-gpt", "served_model": "", "provider": "auto", "mode": "Completion", "system_prompt": "",
    "response_format": "Text", "json_schema": "", "prompt": "Hello there",
    "temperature": 0.7, "max_new_tokens": 6, "seed": 5, "random_seed": False, "top_p": 1.0, "top_k": 0,
    "repetition_penalty": 1.0, "frequency_penalty": 0.0, "stop": "", "token_probabilities": False,
}  # fmt: skip
ROOT = Path(__file__).resolve().parent.parent.parent
OUR_FRAME = re.compile(rf'File "{re.escape(str(ROOT))}/(?:playground/|components/|app\.py")')
USER_MESSAGE = "gradio.exceptions.Error:"
CASES: Counter[str] = Counter()
STATUSES: Counter[int] = Counter()
SERVER_ERRORS: list[str] = []
CALLS_IN_FLIGHT = 4  # calls sent at once; each is checked as it answers
_TALLYING = threading.Lock()  # the calling threads share the counters above (a Counter's += is not atomic)

# ---- strategies ---------------------------------------------------------------------------------

NASTY_TEXT = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "\u202eevil\u202c", "שלום עולם", "مرحبا", "𝕳𝖊𝖑𝖑𝖔", "🙂" * 50,
    "\r\n", "\n" * 100, "null", "NaN", "-1", "1e999", "<script>alert(1)</script>", "{{7*7}}", "%s%n", "../../etc/passwd",
    "a" * 40_000, "é" * 33_000, "hf_" + "x" * 37, "Bearer hf_x\r\nX-Evil: 1", "\t", "\u200b", "\ufeff", "\uffff",
])  # fmt: skip
TEXT = st.one_of(st.text(max_size=80), st.text(st.characters(codec=None, exclude_categories=()), max_size=40), NASTY_TEXT)
NUMBER = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e308, -1e308, 2**63, 2**64 + 1, 10**30, 1e-320, 0.5, 4097, 2**32]),
)
SCALAR = st.one_of(st.none(), st.booleans(), NUMBER, TEXT)
ANYTHING = st.recursive(
    SCALAR, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=8
)
PRIVATE_HOSTS = ["127.0.0.1", "127.1.2.3", "localhost", "[::1]", "0.0.0.0", "10.0.0.1", "172.16.5.4", "192.168.1.1",
                 "169.254.169.254", "[fd00::1]", "[fe80::1]", "2130706433", "0x7f000001", "[::ffff:127.0.0.1]"]  # fmt: skip
URL = st.builds(
    "{}://{}{}{}".format,
    st.sampled_from(["http", "https", "HTTP"]),
    st.sampled_from(PRIVATE_HOSTS),
    st.sampled_from(["", ":1", ":7860", ":65535", ":99999", ":-1"]),
    st.sampled_from(["", "/", "/tgi/x", "/v1", "/latest/meta-data/", "/%00", "/..%2f..", "?q=1#f"]),
)
MODEL = st.one_of(
    st.sampled_from(["test/tiny-gpt", "test/chat-model", "test/gated-model", "test/nope", "local/smollm2",
                     "http://[", "https://", "ftp://127.0.0.1/", "a/b/c", "../x", "org/" + "n" * 200, "http://user:pw@127.0.0.1/",
                     "http://" + "a" * 70 + ".example/", "http://a..example/"]),
    URL,
    TEXT,
)  # fmt: skip
FIELD_VALUES = {
    "model": MODEL,
    "served_model": st.one_of(st.just(""), TEXT),
    "provider": st.one_of(st.sampled_from(["auto", "hf-inference", "together", "AUTO", "nope"]), TEXT),
    "mode": st.one_of(st.sampled_from(["Completion", "Chat", "chat", "CHAT", ""]), TEXT),
    "system_prompt": TEXT,
    "response_format": st.one_of(st.sampled_from(["Text", "JSON", "JSON schema", "json", ""]), TEXT),
    "json_schema": st.one_of(st.sampled_from(["{}", '{"type": "object"}', '{"type": 5}', "{", "[]", "[" * 7_000,
                                              '{"type": "object", "properties": {"a": ' * 180 + "{}" + "}}" * 180]), TEXT),
    "prompt": TEXT,
    "temperature": NUMBER,
    "max_new_tokens": NUMBER,
    "seed": st.one_of(NUMBER, st.none()),
    "random_seed": st.one_of(st.booleans(), SCALAR),
    "top_p": NUMBER,
    "top_k": NUMBER,
    "repetition_penalty": NUMBER,
    "frequency_penalty": NUMBER,
    "stop": st.one_of(TEXT, st.just("a\nb\nc\nd\ne"), st.just("x" * 60)),
    "token_probabilities": st.one_of(st.booleans(), SCALAR),
}


@st.composite
def forms(draw: st.DrawFn) -> list[Any]:
    """Mostly valid fields with a few replaced by fuzz, or anything at all in any field."""
    values = dict(VALID)
    for name in draw(st.sets(st.sampled_from(FIELDS), min_size=1, max_size=5)):
        values[name] = draw(st.one_of(FIELD_VALUES[name], ANYTHING) if draw(st.booleans()) else FIELD_VALUES[name])
    return [values[name] for name in FIELDS]


def payloads(form: st.SearchStrategy[list[Any]]) -> st.SearchStrategy[list[Any]]:
    """The form as it is, or with fields missing or extra, or not a list at all."""
    return st.one_of(form, form, form, form.map(lambda data: data[:-3]), form.map(lambda data: [*data, "extra"]), ANYTHING)


YAML = st.one_of(
    st.sampled_from([
        "", "42", "null", "[", "{", "- 1\n- 2", "a: b", "!!python/object/apply:os.system ['true']",
        "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: &d [*c, *c]\ne: [*d, *d]", "[" * 500 + "]" * 500,
        "- name: x\n  label: X\n  temperature: .nan", "- name: ok-one\n  label: OK\n  system_prompt: \"\\ud800\"",
        "presets:\n  - name: a\n    label: A\n    max_new_tokens: 99999999999999999999", "x: " + "y" * 250_000,
    ]),
    TEXT,
)  # fmt: skip

# ---- calling the app ------------------------------------------------------------------------


Caller = Callable[[httpx.Client, str, Any], None]


def tally(counter: Counter, key: Any) -> None:
    with _TALLYING:
        counter[key] += 1


def call(client: httpx.Client, endpoint: str, data: Any) -> None:
    """One API call as Gradio's own clients make it; records the statuses; 5xx are checked at the end."""
    tally(CASES, endpoint)
    body = json.dumps({"data": data}, allow_nan=True)  # NaN and Infinity as Python writes them
    started = client.post(f"gradio_api/call/{endpoint}", content=body, headers={"content-type": "application/json"})
    tally(STATUSES, started.status_code)
    if started.status_code >= 500:
        SERVER_ERRORS.append(f"POST {endpoint} {body[:300]!r} -> {started.status_code} {started.text[:300]!r}")
    if started.status_code != 200:
        return
    event_id = started.json()["event_id"]
    with client.stream("GET", f"gradio_api/call/{endpoint}/{event_id}") as events:
        tally(STATUSES, events.status_code)
        answer = "\n".join(events.iter_lines())
    if events.status_code >= 500:
        SERVER_ERRORS.append(f"GET {endpoint} after {body[:300]!r} -> {events.status_code} {answer[:300]!r}")


def callable_endpoints(client: httpx.Client) -> dict[str, int]:
    """Every API name a caller can reach, public or undocumented, with its number of inputs."""
    config = client.get("config").json()
    return {dep["api_name"]: len(dep.get("inputs", [])) for dep in config["dependencies"]
            if dep.get("api_name") and dep.get("api_visibility", "public") != "private"}


def arguments(count: int) -> st.SearchStrategy[Any]:
    """`count` values of any kind (YAML-looking text among them), sometimes one too few or too many."""
    value = st.one_of(ANYTHING, YAML)
    right = st.lists(value, min_size=count, max_size=count)
    return st.one_of(right, right, right, st.lists(value, max_size=count + 2))


# No example database (nothing written to the tree), no shrinking: a case never fails by itself,
# the statuses and the log are judged after all of them. The cases are the same on every run (CI
# stays reproducible); PLAYGROUND_FUZZ_RANDOM=1 draws new ones to look for more.
FUZZ = settings(deadline=None, database=None, phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
                derandomize=os.environ.get("PLAYGROUND_FUZZ_RANDOM") != "1")


def fuzz(client: httpx.Client | None, endpoint: str, strategy: st.SearchStrategy[Any], examples: int, caller: Any = None) -> None:
    @settings(FUZZ, max_examples=examples)
    @given(strategy)
    def one_case(data: Any) -> None:
        (caller or call)(client, endpoint, data)

    one_case()


def drawn(endpoint: str, strategy: st.SearchStrategy[Any], examples: int) -> list[tuple[str, Any]]:
    """`examples` cases for `endpoint`, drawn now and sent later (`call_all`). They come through
    `fuzz` unchanged: hypothesis seeds its derandomized draws from `one_case`'s source, so the cases
    are those the calls one at a time were made with."""
    cases: list[tuple[str, Any]] = []
    fuzz(None, endpoint, strategy, examples, caller=lambda _client, name, data: cases.append((name, data)))
    return cases


def call_all(client: httpx.Client, cases: list[tuple[str, Any]], caller: Caller = call) -> None:
    """Every case, CALLS_IN_FLIGHT at a time (httpx's Client is shared between threads by design)."""
    with ThreadPoolExecutor(CALLS_IN_FLIGHT) as pool:
        list(pool.map(lambda case: caller(client, *case), cases))  # list(): a call that raised fails the test here


def our_tracebacks(log: str) -> list[str]:
    """Tracebacks in the app's log that pass through the playground's own code, each as its frames
    and its exception line."""
    found, block = [], None
    for line in log.splitlines():
        if line.startswith("Traceback (most recent call last):"):
            block = [line]
        elif block is not None and line.startswith(" "):
            block.append(line)
        elif block is not None:
            block.append(line)  # the exception itself ends the block
            # gr.Error is a message the handler meant for the user; Gradio logs it with its stack.
            if any(OUR_FRAME.search(frame) for frame in block) and not line.startswith(USER_MESSAGE):
                found.append("\n".join(block))
            block = None
    return found


def summary(tracebacks: list[str]) -> str:
    """How many of each: our innermost frame and the exception raised."""
    kinds = Counter()
    for block in tracebacks:
        ours = [line.strip() for line in block.splitlines() if OUR_FRAME.search(line)]
        kinds[f"{ours[-1]} -> {block.splitlines()[-1][:160]}"] += 1
    return "\n".join(f"{count} x {kind}" for kind, count in kinds.most_common())


def test_fuzzed_api_calls_get_no_5xx_and_no_traceback(space_app_process: AppProcess, protocol_server_session: ProtocolServer) -> None:
    """Done-when of issue 7: at least 300 fuzzed calls to /generate, /view_code and every other
    endpoint a caller can reach (undocumented ones too: preset YAML import, history restore...),
    with numbers, types, sizes, unicode, model IDs and YAML; then 0 HTTP 5xx, 0 tracebacks through
    our code, and the app still answering a normal request."""
    app = space_app_process
    log_start = len(app.log_text())
    with httpx.Client(base_url=app.url, timeout=60) as client:
        token = st.one_of(st.just(""), st.just(TEST_TOKEN), TEXT, ANYTHING)
        cases = [*drawn("generate", st.tuples(payloads(forms()), token, token).map(lambda values: _with_tokens(*values)), 190),
                 *drawn("view_code", payloads(forms()), 60)]
        others = {name: count for name, count in callable_endpoints(client).items() if name not in {"generate", "view_code"}}
        for name, count in sorted(others.items()):
            yaml_import = name == "import_yaml"  # the one endpoint that parses text: more cases
            cases += drawn(name, st.tuples(YAML, ANYTHING).map(list) if yaml_import else arguments(count), 30 if yaml_import else 6)
        call_all(client, cases)
        assert CASES["generate"] == 190 and CASES["view_code"] == 60
        with ThreadPoolExecutor(CALLS_IN_FLIGHT) as pool:
            refusals = list(pool.map(lambda host: _event_text(client, "generate", _form_with(model=f"http://{host}/tgi/x")), PRIVATE_HOSTS))
        normal = _normal_run(client)
    total = sum(CASES.values())
    print(f"fuzz: {total} cases {dict(CASES)}; HTTP statuses {dict(STATUSES)}")
    assert total >= 300
    assert not SERVER_ERRORS, "\n".join(SERVER_ERRORS)
    tracebacks = our_tracebacks(app.log_text()[log_start:])
    assert not tracebacks, f"{len(tracebacks)} tracebacks through our code:\n{summary(tracebacks)}\nthe first:\n{tracebacks[0]}"
    assert normal.startswith("Echo seed=5 temp=0.7: Hello there")
    # On a Space, a URL at a loopback or private address is refused before anything connects.
    assert all("private or local address" in text for text in refusals), refusals


def _with_tokens(data: Any, token: Any, endpoint_token: Any) -> Any:
    return [*data, token, endpoint_token] if isinstance(data, list) else data


def _form_with(**changes: Any) -> list[Any]:
    values = {**VALID, **changes}
    return [*(values[name] for name in FIELDS), TEST_TOKEN, ""]


def _event_text(client: httpx.Client, endpoint: str, data: list[Any]) -> str:
    """Everything the event streamed back, as text."""
    tally(CASES, endpoint)
    started = client.post(f"gradio_api/call/{endpoint}", json={"data": data})
    with client.stream("GET", f"gradio_api/call/{endpoint}/{started.json()['event_id']}") as events:
        return "\n".join(events.iter_lines())


def _normal_run(client: httpx.Client) -> str:
    """The output of a plain run, read from the event's stream."""
    started = client.post("gradio_api/call/generate", json={"data": [*(VALID[name] for name in FIELDS), TEST_TOKEN, ""]})
    output = ""
    with client.stream("GET", f"gradio_api/call/generate/{started.json()['event_id']}") as events:
        for line in events.iter_lines():
            if line.startswith("data:") and line[5:].strip().startswith("["):
                first = json.loads(line[5:])[0]
                output = first if isinstance(first, str) else output
    return output


def test_a_malformed_request_with_a_lone_surrogate_gets_422_not_500(space_app_process: AppProcess) -> None:
    """Found by the fuzz: FastAPI's 422 echoes the input, and a lone surrogate in it could not be
    encoded, so the caller got 500 Internal Server Error."""
    with httpx.Client(base_url=space_app_process.url, timeout=30) as client:
        for endpoint in ("generate", "view_code"):
            answer = client.post(f"gradio_api/call/{endpoint}", content='{"data": "x\\udfffy"}', headers={"content-type": "application/json"})
            assert answer.status_code == 422
            assert answer.json()["detail"]


# ---- direct calls (/gradio_api/run/<name>) --------------------------------------------------------

# Values a Radio or a Dropdown does not offer, among them a Hub ID with a policy sent as the Mode.
OUTSIDE_CHOICES = st.sampled_from(["org/name:fastest", "test/tiny-gpt:cheapest", "nope", "", "chat", "JSON Schema", "5",
                                   5, -1, 2.5, 1e309, None, True, [], {}, ["Chat"], {"value": "Chat"}])  # fmt: skip
DIRECT: Counter[str] = Counter()
DIRECT_ERRORS: list[str] = []


def call_direct(client: httpx.Client, endpoint: str, data: Any) -> None:
    """One direct call, as the page makes it for an event outside the queue; 5xx are checked at the end."""
    tally(DIRECT, endpoint)
    body = json.dumps({"data": data}, allow_nan=True)
    answer = client.post(f"gradio_api/run/{endpoint}", content=body, headers={"content-type": "application/json"})
    tally(STATUSES, answer.status_code)
    if answer.status_code >= 500:
        DIRECT_ERRORS.append(f"POST run/{endpoint} {body[:300]!r} -> {answer.status_code} {answer.text[:300]!r}")


def named_events(client: httpx.Client) -> dict[str, list[dict[str, Any]]]:
    """Every named event with its input components: the direct route takes any name, private ones too."""
    config = client.get("config").json()
    components = {component["id"]: component for component in config["components"]}
    return {dep["api_name"]: [components[i] for i in dep.get("inputs", [])] for dep in config["dependencies"] if dep.get("api_name")}


@st.composite
def near_valid(draw: st.DrawFn, inputs: list[dict[str, Any]]) -> list[Any]:
    """The components' own values (a valid call, as the page would send it), one or two replaced
    by a value outside the choices or by anything."""
    values = [component.get("props", {}).get("value") for component in inputs]
    if values:
        for index in draw(st.sets(st.integers(0, len(values) - 1), min_size=1, max_size=2)):
            values[index] = draw(st.one_of(OUTSIDE_CHOICES, OUTSIDE_CHOICES, ANYTHING))
    return values


def test_direct_calls_to_every_event_get_no_5xx_and_no_traceback(space_app_process: AppProcess) -> None:
    """Issue 22: Gradio's direct route answered 500 to its own value checks (106 of 393 calls), e.g.
    `org/name:fastest` sent as a Mode. Every named event, 6 cases each, then 0 HTTP 5xx and 0
    tracebacks through our code; the probe's own case gets 422 with Gradio's words."""
    app = space_app_process
    log_start = len(app.log_text())
    with httpx.Client(base_url=app.url, timeout=60) as client:
        events = named_events(client)
        cases = [case for name, inputs in sorted(events.items())
                 for case in drawn(name, st.one_of(near_valid(inputs), near_valid(inputs), arguments(len(inputs))), 6)]
        call_all(client, cases, caller=call_direct)
        mode = client.post("gradio_api/run/suggested_mode", json={"data": ["test/tiny-gpt", "", "org/name:fastest"]})
        too_few = client.post("gradio_api/run/system_prompt_visibility", json={"data": []})
        fine = client.post("gradio_api/run/suggested_mode", json={"data": ["test/chat-model", "", "Completion"]})
    print(f"direct calls: {sum(DIRECT.values())} to {len(DIRECT)} events; HTTP statuses {dict(STATUSES)}")
    assert len(DIRECT) == len(events) >= 60 and {"suggested_mode", "apply", "pick", "restore"} <= set(DIRECT)
    assert not DIRECT_ERRORS, f"{len(DIRECT_ERRORS)} answers of 500 or above:\n" + "\n".join(DIRECT_ERRORS[:20])
    tracebacks = our_tracebacks(app.log_text()[log_start:])
    assert not tracebacks, f"{len(tracebacks)} tracebacks through our code:\n{summary(tracebacks)}\nthe first:\n{tracebacks[0]}"
    assert mode.status_code == 422 and "not in the list of choices" in mode.json()["error"]
    assert too_few.status_code == 422 and "didn't receive enough input values" in too_few.json()["error"]
    assert fine.status_code == 200 and fine.json()["data"] == ["Chat"]  # a valid direct call is untouched

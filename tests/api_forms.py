"""The API inputs the app tests send: /generate's form, and /compare's and /sweep's."""

from __future__ import annotations

FORM = {
    "model": "test/tiny-gpt", "served_model": "", "provider": "auto", "mode": "Completion", "system_prompt": "", "response_format": "Text",
    "json_schema": "", "prompt": "Hello there", "temperature": 0.7, "max_new_tokens": 6, "seed": 5, "random_seed": False, "top_p": 1.0, "top_k": 0,
    "repetition_penalty": 1.0, "frequency_penalty": 0.0, "stop": "", "token_probabilities": False, "session_token": "", "endpoint_token": "",
}

PARAMS = {"temperature": 0.7, "max_new_tokens": 6, "seed": 5, "random_seed": False, "top_p": 1.0, "top_k": 0,
          "repetition_penalty": 1.0, "stop": "", "session_token": ""}
PANES = {f"{name}_{key}": value for key in "abcd" for name, value in (("model", "test/tiny-gpt"), ("provider", "auto"), ("mode", "Completion"))}
COMPARE = {"panes": 2, **PANES, "system_prompt": "", "prompt": "Side by side", **PARAMS}
SWEEP = {"models": [], "temperatures": "", "seeds": "", "model": "test/tiny-gpt", "provider": "auto", "mode": "Completion",
         "system_prompt": "", "prompt": "Sweep", **PARAMS}

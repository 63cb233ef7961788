"""Model facts with an age: which Hub models providers serve, and what the router says about them.

Everything here is public data, fetched through huggingface_hub with the visitor's token and kept
in a time-to-live cache shared by all visitors (a few minutes), so a room full of visitors does not
mean a room full of identical Hub calls. A lookup that fails raises `LookupFailed`; the UI then
says so quietly and typing a model ID still works.

Modules:
    cache    `TtlCache`: shared, time-limited, one call per key even when visitors ask at once
    search   `search_models`: Hub text-generation models served by inference providers
    facts    `model_facts` / `router_models`: context length, prices, throughput and first-token
             latency per model and provider, from the router's `GET /v1/models`
"""

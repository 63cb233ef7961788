"""The playground's core: plain Python, never imports Gradio.

Modules, by topic:
    config       settings read from the environment (HF_TOKEN, HF_ROUTER_URL, PLAYGROUND_*, ...)
    tokens       which token a request may use (the visitor's own first; the server's never on a Space)
    token_format a token's shape, checked before it is sent
    params       generation parameters, declared once with bounds, defaults and help text
    request      the one validated request (`GenerationRequest`), its shared field types and limits,
                 and the exact InferenceClient call it becomes
    form_values  the form's fields, declared once (`FormValues`), and the way between them and a request
    model_ref    validation of the "Model" field (Hub ID or endpoint URL), private-address checks
    errors       the typed error tree
    http_errors  the mapping from huggingface_hub / HTTP failures onto that tree
    retry        the retry policy (pure: decides how long to wait, never sleeps)
    clock        real and fake time for the retry loop
    events       what a run reports: waiting, silence (the heartbeat), token, done
    backend      the only place that calls InferenceClient; runs the retry loop
    stream_reader reads a model's stream in a worker thread (timeouts, Stop)
    refused_params parameters a model refused, and the call made again without them
    outbound     what leaves with a request: exactly the visitor's token, or none
    lookup_cache huggingface_hub's Hub lookups, cached per token with an age
    body_limit   refuses oversized request bodies (413) before Gradio reads them
    request_errors a malformed API request's 422, encodable whatever text it echoes
    router       sends router traffic to HF_ROUTER_URL
    hub          questions asked of the Hub API (the suggested mode)
    history      the run history kept in the visitor's browser
    presets      shipped and visitor presets, as YAML
    share        share links: a request in a URL query, and back
    snippets     the "View code" snippets (Python, cURL, JavaScript)
    local/       the built-in local model (llama.cpp behind the same protocol)
    catalog/     model facts with an age: Hub search and router facts, cached for all visitors
    runs/        runs made for the presenter: pre-flight probes, fallback choice, replay pacing
"""

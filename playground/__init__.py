"""The playground's core: plain Python, no Gradio.

Modules, by topic:
    config     settings read from the environment (HF_TOKEN, HF_ROUTER_URL, ...)
    params     generation parameters, declared once with bounds, defaults and help text
    request    one generation request and the exact InferenceClient call it becomes
    model_ref  validation of the "Model" field (Hub ID or endpoint URL)
    errors     the typed error tree, and the mapping from HTTP failures to it
    retry      the retry policy (pure: decides how long to wait, never sleeps)
    events     what a run reports: waiting, silence (the heartbeat), token, done
    backend    the only place that calls InferenceClient; runs the retry loop and the timeouts
    stream_reader   reads a model's stream in a worker thread, so Stop and timeouts act at once
    refused_params  parameters a model refuses ("model_kwargs are not used"): dropped and reported
    body_limit      an ASGI middleware: request bodies over 1 MB refused with 413, unread
    request_errors  a malformed API request's 422, encodable whatever text it echoes
    router     sends router traffic to HF_ROUTER_URL
"""

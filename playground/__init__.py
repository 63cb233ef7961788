"""The playground's core: plain Python, no Gradio.

Modules, by topic:
    config     settings read from the environment (HF_TOKEN, HF_ROUTER_URL, ...)
    params     generation parameters, declared once with bounds, defaults and help text
    request    one generation request and the exact InferenceClient call it becomes
    model_ref  validation of the "Model" field (Hub ID or endpoint URL)
    errors     the typed error tree, and the mapping from HTTP failures to it
    retry      the retry policy (pure: decides how long to wait, never sleeps)
    events     what a run reports: waiting, token, done
    backend    the only place that calls InferenceClient; runs the retry loop
    router     sends router traffic to HF_ROUTER_URL

Packages:
    catalog    model facts with an age: Hub search and router facts, cached for all visitors
    runs       runs made for the presenter: pre-flight probes, fallback choice, replay pacing
    local      the built-in local model
"""

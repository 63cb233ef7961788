"""The playground's core: plain Python, never imports Gradio.

Packages, by role (a test keeps this map true: every module is named here, and every name exists):

    config       settings read from the environment (HF_TOKEN, HF_ROUTER_URL, PLAYGROUND_*, ...)
    errors       the typed error tree
    startup      install_patches(settings): every library patch, in order, at start-up
    input/       what a visitor asks for
        params       generation parameters, declared once: bounds, defaults, help text, control, wire names
        request      the one validated request (`GenerationRequest`) and the InferenceClient call it becomes
        form_values  the form's fields (`FormValues`) and the way between them and a request
        model_ref    the "Model" field (Hub ID or endpoint URL), private-address checks
        response_format the "Response format" choice: the schema as typed, and what is sent
        policy       the router's provider policies (`org/name:fastest`, `:cheapest`) and where they work
    inference/   running a request against a model
        backend      the only place that calls InferenceClient; runs the retry loop
        stream_reader reads a model's stream in a worker thread (timeouts, Stop)
        pieces       a stream's items (TGI, chat, OpenAI completions) as text, final event and token counts
        events       what a run reports: waiting, silence (the heartbeat), token, done
        coalesce     merges a fast stream's events into fewer page updates
        probabilities token probabilities: each token's odds and alternatives, percentages, summary, tint bands
        retry        the retry policy (pure: decides how long to wait, never sleeps)
        clock        real and fake time for the retry loop
        http_errors  huggingface_hub / HTTP failures mapped onto the error tree, in one place
    endpoint/    endpoint URLs of any server (TGI, vLLM, Ollama, llama.cpp, LM Studio)
        discovery    which API an endpoint speaks (TGI or OpenAI-compatible) and the models it serves, cached per URL
        openai_stream an OpenAI-compatible endpoint's completions and chat streams, through the `openai` package
    hf/          Hugging Face specifics
        router       sends router traffic to HF_ROUTER_URL; the guarded client for endpoint URLs outside huggingface_hub
        outbound     what leaves with a request: exactly the visitor's token, or none
        address_guard on a Space, a visitor's endpoint host reached only at a global address, checked at connect
        lookup_cache huggingface_hub's Hub lookups, cached per token with an age
        refused_params parameters a model refused, and the call made again without them
        hub          questions asked of the Hub API (the suggested mode)
        tokens       which token a request may use, and which hosts may receive it
        token_format a token's shape, checked before it is sent
    web/         the HTTP edge in front of Gradio
        body_limit   refuses oversized request bodies (413) before Gradio reads them
        request_errors a malformed API request's 422, encodable whatever text it echoes
    saved/       what outlives a run
        history      the run history kept in the visitor's browser
        stored_list  a list kept in the browser: read back checked, written back bounded
        presets      shipped and visitor presets, as YAML
        share        share links: a request in a URL query, and back
        snippets     the "View code" snippets (Python, cURL)
        javascript   the "View code" JavaScript (@huggingface/inference)
    patches/     the library patches (huggingface_hub 2.4.0, Gradio 6.31.0), each saying why
        registry     every library name a patch replaces, changes or reads, with its expected kind
        absent_modules matplotlib marked absent where it is not installed (Gradio imports it per event)
        implicit_tokens no token huggingface_hub would find by itself
        hub_lookups  huggingface_hub's process-wide Hub lookup caches swapped for token-scoped ones
        http_client  huggingface_hub's own request hook, and hooks added to its shared client
        refusals     huggingface_hub's record of refused parameters, and the message naming them
        providers    the inference providers huggingface_hub knows
        session_configs Gradio's per-session copy of every component's config, built when read (deep links), not per new session
        lean_config  the page's config without what the page never reads: API schemas, event fields at their defaults
    chat/        conversations: turns, reasoning, structured output, usage, context fit
    catalog/     model facts with an age: Hub search and router facts, cached for all visitors
    runs/        runs made for the presenter: Compare, Sweep, pre-flight, fallback, replay, continue from an
                 alternative; the provider bake-off's summary, pricing, dataset card and push to the Hub
                 (its own map lists them)
    arena/       blind rounds between two contenders, votes and a leaderboard
        pairs        the "Contenders" checked, a pair drawn uniformly, contender names kept off the page
        rounds       one round: its pair, how its runs ended, which votes it takes (once)
        votes        a vote's record, kept in the browser bounded; JSONL export and import
        ranking      Bradley-Terry scores on the Elo scale, seeded bootstrap intervals, win rates
        code         the arena's View code (one round with InferenceClient) and its share link
    local/       the built-in local model (llama.cpp behind the same protocol)
"""

"""Runs made on the presenter's behalf, each one `GenerationRequest` through `Backend.run` (or none).

This package decides *which* requests to make, how many at once, and when; it never talks HTTP
itself and never imports gradio. The UI renders each run's events in its own place.

Modules:
    preflight  "Check models": a one-token probe per model, in parallel; green / amber / red, and
               amber models keep retrying (warming) until they answer, the deadline passes, or
               the visitor leaves
    fallback   which model "Run on <model>" offers after a failure a retry won't fix, and the
               same request on that model, honestly labelled
    replay     a history run played back at its recorded pace, with no request sent
    scheduler  `run_jobs`: Compare panes and Sweep cells concurrently in threads, at most 4 per
               model (1 for the built-in local model, whose single engine takes one request at a
               time), their events merged and tagged by pane or cell, a batch at least every 0.2 s;
               a queued run is reported as waiting its turn, and has no thread until it starts
    slots      how many runs may stream at once: per visitor session (PLAYGROUND_RUNS_PER_VISITOR)
               and in the process (PLAYGROUND_MAX_STREAMS); leaving the page stops a session's runs
    compare    the panes (A-D) of a comparison and their requests
    sweep      the grid models × providers × temperatures × seeds × repeats: parsing the fields, at most 24 runs
    results    one result per pane or cell, filled from its events; identical outputs; CSV and JSON export
    pricing    a run's cost from its tokens and the router's price; the router's claims beside the measurements
    summary    per model × provider: median and range of first token, tokens/s, total time and cost
    dataset_card  the README.md of a pushed sweep: YAML metadata, grid, prompt, summary, method
    hub_push   "Push to Hub": create_repo and one commit (runs JSONL + card), with the visitor's token only
    code       "View code" for a sweep (a Python loop over the grid) and for a comparison
    saved      compare and sweep states for the browser history and for share links
"""

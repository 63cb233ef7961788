"""Many runs at once: Compare panes and Sweep cells, each one `GenerationRequest` through `Backend.run`.

This package decides *which* requests to make and *how many at once*; it never talks HTTP itself
and never imports gradio. The UI renders each run's events in its own pane or table row.

Modules:
    scheduler  `run_jobs`: runs jobs concurrently in threads, at most 4 per model (1 for the
               built-in local model, whose single engine takes one request at a time), and merges
               their events tagged by job key; a queued job is reported as waiting its turn
    compare    the panes (A-D) of a comparison and their requests
    sweep      the grid models × temperatures × seeds: parsing the fields, at most 24 cells
    results    one row per run, filled from its events; identical outputs; CSV and JSON export
    code       "View code" for a sweep (a Python loop over the grid) and for a comparison
    saved      compare and sweep states for the browser history and for share links
"""

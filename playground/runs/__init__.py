"""Runs made on the presenter's behalf, each one `GenerationRequest` through `Backend.run` (or none).

This package decides *which* requests to make and when; it never talks HTTP itself and never
imports gradio. The UI renders each run's events in its own place.

Modules:
    preflight  "Check models": a one-token probe per model, in parallel; green / amber / red, and
               amber models keep retrying (warming) until they answer, the deadline passes, or
               the visitor leaves
    fallback   which model "Run on <model>" offers after a failure a retry won't fix, and the
               same request on that model, honestly labelled
    replay     a history run played back at its recorded pace, with no request sent
"""

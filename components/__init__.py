"""Gradio only: one module per panel, each building its components and wiring its events.

The panels talk to the plain-Python core in `playground/`; nothing here decides retries,
validates parameters by hand or calls InferenceClient.
"""

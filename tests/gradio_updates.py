"""Reading a gradio_client job's streamed updates, for app tests and benchmarks alike."""

from __future__ import annotations


def last_values(updates: list) -> list[object]:
    """Each output's last value: an update may leave an output out (sent as a bare "update")."""
    last: list[object] = []
    for update in updates:
        values = list(update) if isinstance(update, (list, tuple)) else [update]
        last += [None] * (len(values) - len(last))
        for index, value in enumerate(values):
            if not (isinstance(value, dict) and value.get("__type__") == "update"):
                last[index] = value
    return last

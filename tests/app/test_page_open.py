"""Opening the page costs the browser as little as it can (components/page_open.py): its load events
draw no progress overlays, and a plain visit runs no share-link opener. That links still open
(the form, Compare, Sweep and the Arena filled from one) is shown by the browser tests."""

from __future__ import annotations

import httpx


def page_config(app_url: str) -> dict:
    return httpx.get(app_url + "config", timeout=10).json()


def load_events(config: dict) -> list[dict]:
    return [event for event in config["dependencies"] if any(trigger == "load" for _, trigger in event["targets"])]


def test_the_page_opens_without_progress_overlays(app_url: str) -> None:
    events = load_events(page_config(app_url))
    assert len(events) >= 5
    assert [event["id"] for event in events if event["show_progress"] != "hidden"] == []


def test_a_plain_visit_runs_no_share_link_opener(app_url: str) -> None:
    config = page_config(app_url)
    tabs = {component["id"] for component in config["components"] if component["type"] == "tabs"}
    on_every_visit = load_events(config)
    assert not [event["id"] for event in on_every_visit if tabs & set(event["outputs"])]  # nothing selects a tab
    readers = [event for event in on_every_visit if not event["backend_fn"]]
    assert len(readers) == 1 and "window.location.search" in readers[0]["js"]  # the link is read in the browser
    box = readers[0]["outputs"][0]
    openers = [event for event in config["dependencies"] if [box, "change"] in event["targets"]]
    assert len(openers) == 3  # the Playground's form, Compare or Sweep, the Arena
    assert sum(bool(tabs & set(event["outputs"])) for event in openers) == 2

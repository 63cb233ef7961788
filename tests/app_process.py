"""The playground in a process of its own, as on a Space, talking to a protocol server only.

Tests that measure the app's memory or read its logs start it with this module, so its RSS and
its stderr are its own:

    python -m tests.app_process --port 7861 --upstream http://127.0.0.1:8123

Every Hub and router request goes to `--upstream` (a `tests.protocol_server` on 127.0.0.1). It runs
in Space mode with an empty allowlist, so an endpoint URL pointing at a loopback or private address
is refused before anything connects, and hosted models need the visitor's own token. Retries and
silences are kept short, so no request holds the app for long.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="the protocol server's base URL")
    args = parser.parse_args()

    from huggingface_hub import constants as hf_constants

    from app import LAUNCH_OPTIONS, app_kwargs, build_app
    from playground.config import Settings
    from playground.hf.router import install_router
    from playground.inference.backend import Backend
    from playground.inference.retry import RetryPolicy

    hf_constants.ENDPOINT = args.upstream
    install_router(args.upstream)
    settings = Settings(
        hub_endpoint=args.upstream, router_url=args.upstream, on_space=True, retry_deadline=2, first_token_timeout=5,
        suggested_models=[("test/tiny-gpt", "test/tiny-gpt"), ("test/chat-model", "test/chat-model")],
        default_model="test/tiny-gpt",
    )
    backend = Backend(policy=RetryPolicy(deadline=2, first_delay=0.2), first_token_timeout=5,
                      on_space=settings.on_space, endpoint_allowlist=settings.endpoint_allowlist)
    demo = build_app(settings, backend)
    demo.queue(default_concurrency_limit=settings.concurrency_limit)
    demo.launch(server_name="127.0.0.1", server_port=args.port, quiet=True, app_kwargs=app_kwargs(), **LAUNCH_OPTIONS)


if __name__ == "__main__":
    main()

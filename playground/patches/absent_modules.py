"""matplotlib marked absent where it is not installed, so Gradio's import of it per event fails at once.

Checked against gradio 6.31.0: `gradio.route_utils` runs every event (each streamed update
included) inside `gradio.utils.MatplotlibBackendMananger` (sic), whose `__enter__` and `__exit__`
both `import matplotlib` and pass on ImportError. Where matplotlib is not installed, each such import
searches the whole of sys.path again (about 0.08 ms per update, on the event loop). A module marked
absent in sys.modules fails at once. Touches no Gradio name, only sys.modules.
"""

from __future__ import annotations

import importlib.util
import sys


def skip_absent_matplotlib() -> None:
    """Marks matplotlib absent in sys.modules if it is not installed; an installed one is left alone."""
    if importlib.util.find_spec("matplotlib") is None:
        sys.modules.setdefault("matplotlib", None)  # type: ignore[arg-type]  # None: "known absent" to the import system

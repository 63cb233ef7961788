"""A button pressed while a Stop is still landing is pressed again once it has landed, instead of lost.

Stop ends a stream with Gradio's `cancels`: the page sends /cancel (then /reset) and, until both
have answered, still counts the stopped run as going on, so it drops a second press of the same
run's button (Gradio 6.31, `trigger_mode="once"`; "always_last" loses it too). The server answers
/cancel only once the stopped stream's handler next wakes up: the next token, or the next second
of a wait for a cold model. So "Esc, then Ctrl+Enter" went unanswered whenever the second key came
in that gap (one run in four of tests/browser/test_browser_presenter.py, on a 0.2 s token gap).

A script in the page's head: it counts the /cancel and /reset requests in flight (by wrapping
`fetch`, which Gradio's client calls each time) and, while there are any, holds a button's click
and makes it again once they have answered. Held presses are made once each, in order; a held
button carries `data-held` meanwhile.
"""

from __future__ import annotations

PRESS_AFTER_STOP_SCRIPT = """
(() => {
  let landing = 0;  // /cancel and /reset requests not answered yet
  const held = [];
  const isCancel = (resource) => /\\/gradio_api\\/(cancel|reset)$/.test(String(resource && resource.url || resource));
  const pressHeld = () => setTimeout(() => {
    while (!landing && held.length) {
      const button = held.shift();
      delete button.dataset.held;
      button.click();
    }
  }, 0);  // after Gradio's own reaction to the answer, which runs first (promise callbacks)
  const send = window.fetch;
  window.fetch = function (resource) {
    const sent = send.apply(this, arguments);
    if (isCancel(resource)) {
      landing += 1;
      const landed = () => { landing -= 1; if (!landing) pressHeld(); };
      sent.then(landed, landed);
    }
    return sent;
  };
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("button");
    if (!landing || !button) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (!held.includes(button)) held.push(button);
    button.dataset.held = "";
  }, true);
})();
"""

PRESS_AFTER_STOP_HEAD = f"<script>{PRESS_AFTER_STOP_SCRIPT}</script>"

"""The page's keyboard: Ctrl/Cmd+Enter runs the current tab's Prompt, Enter sends in Chat mode
(Shift+Enter adds a newline), Esc stops a run.

A script in the page's head (`launch(head=KEYBOARD_HEAD)`). It only presses the page's own buttons,
so every run still goes through Gradio's events; it edits nothing on the page.
"""

from __future__ import annotations

# Each tab's Prompt and the button that sends it. Compare and Sweep are found by their labels, so
# their panels need no ids for this.
KEYBOARD_SCRIPT = """
(() => {
  const RUNS = [
    {prompt: "#pg-prompt", buttons: ["#pg-generate", "#pg-generate-chat"]},
    {prompt: "#pg-compare-prompt", label: "Generate all"},
    {prompt: "#pg-sweep-prompt", label: "Run sweep"},
  ];
  const shown = (el) => el && el.checkVisibility && el.checkVisibility();
  const currentPanel = () => [...document.querySelectorAll("[role=tabpanel]")].find(shown) || document;
  const byLabel = (root, label) => [...root.querySelectorAll("button")].find((b) => b.innerText.trim() === label && shown(b));
  const sendButton = (run) => run.buttons ? run.buttons.map((s) => document.querySelector(s)).find(shown)
                                          : byLabel(document.querySelector(run.prompt)?.closest("[role=tabpanel]") || document, run.label);
  const runOf = (el) => RUNS.find((run) => el && el.closest && el.closest(run.prompt));
  const currentRun = () => RUNS.find((run) => shown(document.querySelector(run.prompt)) && currentPanel().contains(document.querySelector(run.prompt)));
  const chatMode = () => shown(document.querySelector("#pg-generate-chat"));
  const press = (button) => { if (button && !button.disabled) button.click(); };

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      const stop = byLabel(currentPanel(), "Stop");
      if (stop) press(stop);
      return;
    }
    if (event.key !== "Enter" || event.isComposing) return;
    const inPrompt = runOf(event.target);
    if (event.ctrlKey || event.metaKey) {
      const run = inPrompt || currentRun();
      if (!run) return;
      event.preventDefault();
      event.stopPropagation();
      press(sendButton(run));
    } else if (inPrompt && inPrompt.prompt === "#pg-prompt" && chatMode() && !event.shiftKey && !event.altKey) {
      event.preventDefault();  // a chat sends on Enter
      event.stopPropagation();
      press(sendButton(inPrompt));
    }
  }, true);
  // Gradio's Prompt sends nothing on Enter but swallows Shift+Enter (keypress); keep it a newline.
  document.addEventListener("keypress", (event) => {
    if (event.key === "Enter" && runOf(event.target)) event.stopPropagation();
  }, true);
})();
"""

KEYBOARD_HEAD = f"<script>{KEYBOARD_SCRIPT}</script>"

"""What outlives a run: history, presets, share links and code snippets."""

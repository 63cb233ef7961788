"""The page in Chromium, driven by Playwright, as a visitor uses it."""

"""The page's CSS: the status panel must be impossible to miss during a live demo."""

CSS = """
.pg-status { padding: 0.75rem 1rem; border-radius: 8px; border: 1px solid; }
.pg-status progress { width: 100%; height: 0.6rem; margin-top: 0.4rem; }
.pg-status .pg-detail { opacity: 0.8; font-size: 0.9em; margin-top: 0.2rem; }
.pg-waiting { background: #fff7e6; border-color: #f0a020; color: #5a3b00; }
.pg-error { background: #fdecec; border-color: #d33; color: #611; }
.pg-info { background: #eef5ff; border-color: #79a6f2; color: #123; }
"""

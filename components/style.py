"""The page's CSS: the status panel must be impossible to miss during a live demo."""

CSS = """
.pg-status { padding: 0.75rem 1rem; border-radius: 8px; border: 1px solid; }
.pg-status progress { width: 100%; height: 0.6rem; margin-top: 0.4rem; }
.pg-status .pg-detail { opacity: 0.8; font-size: 0.9em; margin-top: 0.2rem; }
.pg-waiting { background: #fff7e6; border-color: #f0a020; color: #5a3b00; }
.pg-error { background: #fdecec; border-color: #d33; color: #611; }
.pg-info { background: #eef5ff; border-color: #79a6f2; color: #123; }
.pg-big textarea { font-size: 1.6rem !important; line-height: 1.4 !important; }
.pg-preflight { list-style: none; padding: 0; margin: 0; }
.pg-light { padding: 0.35rem 0.5rem; border-left: 6px solid #999; margin: 0.2rem 0; }
.pg-light .pg-dot { display: inline-block; width: 0.75rem; height: 0.75rem; border-radius: 50%; background: #999; margin-right: 0.4rem; }
.pg-light-green { border-color: #2e9e4f; } .pg-light-green .pg-dot { background: #2e9e4f; }
.pg-light-amber { border-color: #f0a020; } .pg-light-amber .pg-dot { background: #f0a020; }
.pg-light-red { border-color: #d33; } .pg-light-red .pg-dot { background: #d33; }
/* The keyboard hint on Generate; the alt text after "/" keeps the button's name "Generate". */
#pg-generate::after, #pg-generate-chat::after { content: "Ctrl+Enter" / ""; font-size: 0.75em; font-weight: normal; opacity: 0.75; margin-left: 0.5em; }
.pg-light-word { text-transform: uppercase; font-size: 0.8em; letter-spacing: 0.04em; opacity: 0.8; }
"""

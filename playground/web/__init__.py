"""The HTTP edge in front of Gradio: body size limits and malformed-request answers."""

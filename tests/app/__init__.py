"""The running app through gradio_client and Gradio's handlers: what an API caller or the page gets back."""

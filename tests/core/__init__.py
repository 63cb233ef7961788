"""Pure tests of the plain-Python core: no server, no Gradio app."""

"""Every change the playground makes to its libraries' private parts, in one place.

The playground relies on names huggingface_hub (pinned 2.4.0) and Gradio (pinned 6.31.0) do not
document as public: it replaces some, changes some and reads some. Each module here (but `registry`)
holds one patch, with why it exists and the pinned version it was checked against;
no other product module touches a private library name. `playground.startup.install_patches` installs
them all at start-up, and `registry` lists every library name they use, so one test
(tests/structure/test_library_patches.py) can say which patch broke when a library changes. The core's map
(`playground/__init__.py`) lists the modules.
"""

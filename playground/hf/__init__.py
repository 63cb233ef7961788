"""Hugging Face specifics: router, tokens and where they go, Hub lookups and their caches."""

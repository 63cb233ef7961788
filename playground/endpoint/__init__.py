"""Endpoint URLs of any server: which API it speaks, and the OpenAI-compatible adapter."""

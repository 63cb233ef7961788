"""The core against real HTTP: the real InferenceClient and the local protocol server (and llama.cpp)."""

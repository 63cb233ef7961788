"""Running a request against a model: the backend, its stream, events, retries and errors."""

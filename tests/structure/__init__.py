"""The code's shape: the core's map, the panel contract, limits on size, parameters declared once."""

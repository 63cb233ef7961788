"""Scripts that measure the playground against its floors; see README.md here for the figures."""

"""HTTP API of the availability service."""

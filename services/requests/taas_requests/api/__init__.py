"""The HTTP API of the requests service (routes register themselves on `base.api`)."""

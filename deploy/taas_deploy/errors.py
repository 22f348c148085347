"""The one error type local infrastructure raises: a single line telling the user what to do."""


class InfraError(RuntimeError):
    """A failure to start or reach local infrastructure, phrased as what to do about it."""

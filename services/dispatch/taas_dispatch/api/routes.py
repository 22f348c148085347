"""Every dispatch route, registered on the one Api table by importing its module."""

from taas_dispatch.api import assignments, board, offers, ops  # noqa: F401 - importing registers the routes
from taas_dispatch.api.common import api

__all__ = ["api"]

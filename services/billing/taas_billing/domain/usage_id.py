"""Deterministic usage event ids: the same priced segment always gets the same id, anywhere."""

import uuid

# Fixed for all time: changing it would re-identify every usage event ever published.
USAGE_EVENT_NAMESPACE = uuid.UUID("5b0f7c1e-2d4a-5e8b-9c3f-7a6d1e0b4c28")


def usage_event_id(segment_key: str) -> uuid.UUID:
    """The UUIDv5 of a segment key in the usage-event namespace."""
    if not segment_key:
        raise ValueError("segment_key must not be empty")
    return uuid.uuid5(USAGE_EVENT_NAMESPACE, segment_key)

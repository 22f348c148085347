"""Usage event ids: deterministic per segment key, distinct across keys, stable forever."""

import uuid

from taas_billing.domain.usage_id import usage_event_id


def test_same_key_same_id_and_pinned_value() -> None:
    # Pinned: a changed namespace would silently re-identify every usage event already published.
    assert usage_event_id("asg-1:0:business_hours") == uuid.UUID("199a0dbb-fe57-5757-a956-7d8bcffe2a56")
    assert usage_event_id("asg-1:0:business_hours") == usage_event_id("asg-1:0:business_hours")


def test_different_segments_get_different_ids() -> None:
    keys = ["asg-1:0:business_hours", "asg-1:1:after_hours", "asg-1:1:callout", "asg-2:0:business_hours"]
    ids = {usage_event_id(key) for key in keys}
    assert len(ids) == len(keys)
    assert all(i.version == 5 for i in ids)

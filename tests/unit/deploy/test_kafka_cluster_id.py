"""The KRaft cluster id handed to Kafka's storage tool."""

import base64

from taas_deploy.kafka import cluster_id


def test_an_id_that_would_start_with_a_dash_is_drawn_again():
    draws = iter([b"\xf8" + bytes(15), bytes(16)])  # the first encodes to "-AAA...", read as an option
    cid = cluster_id(lambda: next(draws))
    assert cid == base64.urlsafe_b64encode(bytes(16)).decode().rstrip("=")


def test_ids_are_22_url_safe_characters():
    for _ in range(200):
        cid = cluster_id()
        assert len(cid) == 22 and not cid.startswith("-")
        assert set(cid) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

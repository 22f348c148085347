"""Offer policy by severity, from configuration."""

from datetime import timedelta

import pytest

from taas_contracts.catalog import Severity
from taas_dispatch.domain.errors import InvalidConfiguration
from taas_dispatch.domain.policy import OfferPolicy, OfferPolicyConfig, policy_for


@pytest.mark.parametrize(
    ("severity", "fan_out", "seconds"),
    [(Severity.CRITICAL, 3, 60), (Severity.HIGH, 1, 120), (Severity.MEDIUM, 1, 300), (Severity.LOW, 1, 300)],
)
def test_default_incident_policy_by_severity(make_incident, severity, fan_out, seconds):
    policy = policy_for(make_incident(severity=severity), OfferPolicyConfig())
    assert (policy.fan_out, policy.answer_window) == (fan_out, timedelta(seconds=seconds))
    assert policy.assign_on_call_at_once
    assert policy.acknowledge_window == timedelta(seconds=300)


def test_default_vacancy_policy_is_one_at_a_time_for_an_hour_without_on_call_shortcut(make_vacancy):
    policy = policy_for(make_vacancy(), OfferPolicyConfig())
    assert (policy.fan_out, policy.answer_window_seconds, policy.assign_on_call_at_once) == (1, 3600, False)


def test_configuration_overrides_only_what_it_names(make_incident):
    config = OfferPolicyConfig.from_mapping(
        {"critical": {"fan_out": 5, "acknowledge_window_seconds": 120}, "vacancy": {"assign_on_call_at_once": True}}
    )
    assert config.critical == OfferPolicy(fan_out=5, answer_window_seconds=60, acknowledge_window_seconds=120)
    assert config.vacancy.assign_on_call_at_once and config.vacancy.answer_window_seconds == 3600
    assert config.high == OfferPolicyConfig().high
    assert policy_for(make_incident(severity=Severity.CRITICAL), config).fan_out == 5


@pytest.mark.parametrize(
    "mapping",
    [
        {"urgent": {}},
        {"critical": {"fanout": 2}},
        {"critical": {"fan_out": 0}},
        {"critical": {"fan_out": 2.5}},
        {"high": {"answer_window_seconds": -1}},
        {"high": {"assign_on_call_at_once": "yes"}},
        {"high": {"fan_out": True}},
    ],
)
def test_bad_policy_configuration_is_refused(mapping):
    with pytest.raises(InvalidConfiguration):
        OfferPolicyConfig.from_mapping(mapping)

import pytest

from aftomato.common.settings import (
    AmqpSettings,
    AwsSettings,
    EtcdSettings,
    LogSettings,
    SettingsError,
    load,
    redact_url,
)

SECRET_URL = "amqp://aftomato:s3cr3t-pa55@rabbit:5672/ci"


def test_values_come_from_the_documented_variables() -> None:
    amqp = load(AmqpSettings, {"AFTOMATO_AMQP_URL": SECRET_URL, "AFTOMATO_AMQP_PREFETCH": "7"})
    assert amqp.url.get_secret_value() == SECRET_URL
    assert amqp.prefetch == 7


def test_defaults_follow_the_design() -> None:
    aws = load(AwsSettings, {})
    assert (aws.table, aws.logs_bucket, aws.artifacts_bucket) == (
        "aftomato-build-metadata",
        "aftomato-console-logs",
        "aftomato-build-artifacts",
    )


def test_comma_separated_lists_are_split() -> None:
    etcd = load(EtcdSettings, {"AFTOMATO_ETCD_ENDPOINTS": "etcd-0:2379, etcd-1:2379,"})
    assert etcd.endpoints == ("etcd-0:2379", "etcd-1:2379")


def test_a_missing_variable_is_named() -> None:
    with pytest.raises(SettingsError, match=r"AFTOMATO_AMQP_URL is required \(RabbitMQ URL"):
        load(AmqpSettings, {})


def test_an_empty_variable_counts_as_missing() -> None:
    with pytest.raises(SettingsError, match="AFTOMATO_ETCD_ENDPOINTS is required"):
        load(EtcdSettings, {"AFTOMATO_ETCD_ENDPOINTS": ""})


def test_a_malformed_variable_is_named_without_echoing_its_value() -> None:
    with pytest.raises(SettingsError) as raised:
        load(AmqpSettings, {"AFTOMATO_AMQP_URL": SECRET_URL, "AFTOMATO_AMQP_PREFETCH": "lots"})
    assert "AFTOMATO_AMQP_PREFETCH" in str(raised.value)
    assert "lots" not in str(raised.value)


def test_several_problems_are_all_reported() -> None:
    with pytest.raises(SettingsError) as raised:
        load(LogSettings, {"AFTOMATO_LOG_FORMAT": "xml", "AFTOMATO_LOG_LEVEL": "loud"})
    assert "AFTOMATO_LOG_FORMAT" in str(raised.value)
    assert "AFTOMATO_LOG_LEVEL" in str(raised.value)


def test_secrets_do_not_show_when_settings_are_printed() -> None:
    amqp = load(AmqpSettings, {"AFTOMATO_AMQP_URL": SECRET_URL})
    assert "s3cr3t" not in repr(amqp)
    assert "s3cr3t" not in str(amqp)
    assert amqp.safe_url() == "amqp://aftomato:***@rabbit:5672/ci"


def test_urls_without_a_password_are_left_alone() -> None:
    assert redact_url("amqp://rabbit/") == "amqp://rabbit/"

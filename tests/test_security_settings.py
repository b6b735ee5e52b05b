"""Issue 7, unit tier: failover timeouts, Kafka security pass-through, loopback binds,
and the decoders that send bad messages of the internal topics to the dead-letter topic."""
from __future__ import annotations

import ssl

import faust
import pytest

from agents.app import app, broker_credentials
from monitor.config import Settings
from monitor.errors import BadMessage, ConfigError
from monitor.kafka_io import client_options
from monitor.pipeline import check_alert, check_claim_event, check_enriched, decode_object
from monitor.poller import KafkaSink
from monitor.processes import worker_env

PASSWORD = "hunter2-very-secret"


def test_every_http_endpoint_binds_to_loopback_by_default():
    s = Settings.from_env({})
    assert s.web_host == "127.0.0.1" and s.metrics_host == "127.0.0.1"
    # The worker's web server (also /alerts/stream, /control, /assignment/) and its metrics.
    assert app.conf.web_bind == "127.0.0.1"


def test_a_killed_worker_is_noticed_within_the_session_timeout():
    s = Settings.from_env({})
    assert s.session_timeout_seconds == 10
    assert s.heartbeat_interval_seconds <= s.session_timeout_seconds / 3
    assert app.conf.broker_session_timeout <= app.conf.broker_request_timeout
    assert app.conf.broker_heartbeat_interval < app.conf.broker_session_timeout
    fast = Settings.from_env({"NEWSMON_SESSION_TIMEOUT_SECONDS": "4.5"})
    assert fast.session_timeout_seconds == 4.5 and fast.heartbeat_interval_seconds < 1.5
    with pytest.raises(ConfigError, match="must not exceed"):
        Settings(session_timeout_seconds=60, request_timeout_seconds=30).check_kafka_security()


def test_plaintext_clients_get_no_security_options():
    options = client_options(Settings(bootstrap="k:9092"))
    assert options["bootstrap_servers"] == "k:9092"
    assert not {"security_protocol", "sasl_plain_password", "ssl_context"} & set(options)
    assert broker_credentials(Settings()) is None


def test_sasl_password_from_the_environment_reaches_the_clients_and_no_repr():
    s = Settings.from_env({"NEWSMON_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                           "NEWSMON_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
                           "NEWSMON_KAFKA_SASL_USERNAME": "newsmon",
                           "NEWSMON_KAFKA_SASL_PASSWORD": PASSWORD})
    assert PASSWORD not in repr(s) and PASSWORD not in str(s)
    options = client_options(s)
    assert options["security_protocol"] == "SASL_SSL" and options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "newsmon" and options["sasl_plain_password"] == PASSWORD
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    creds = broker_credentials(s)
    assert isinstance(creds, faust.SASLCredentials) and creds.password == PASSWORD
    assert creds.protocol.value == "SASL_SSL" and creds.mechanism.value == "SCRAM-SHA-512"
    assert PASSWORD not in repr(creds)
    sink = KafkaSink("k:9092", "raw", "state", transactional_id="t", client_options=options)
    assert PASSWORD not in repr(sink)
    # A worker process started by the CLI or a test inherits the settings.
    env = worker_env(s, base={})
    assert env["NEWSMON_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert Settings.from_env(env).kafka_password() == PASSWORD


def test_sasl_password_from_a_file(tmp_path):
    secret = tmp_path / "kafka.password"
    secret.write_text(PASSWORD + "\n")
    s = Settings.from_env({"NEWSMON_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                           "NEWSMON_KAFKA_SASL_MECHANISM": "PLAIN",
                           "NEWSMON_KAFKA_SASL_USERNAME": "newsmon",
                           "NEWSMON_KAFKA_SASL_PASSWORD_FILE": str(secret)})
    options = client_options(s)
    assert options["sasl_plain_password"] == PASSWORD and "ssl_context" not in options
    assert broker_credentials(s).protocol.value == "SASL_PLAINTEXT"
    with pytest.raises(ConfigError, match="cannot be read"):
        client_options(s.with_(kafka_sasl_password_file=str(tmp_path / "missing")))


def test_tls_only():
    options = client_options(Settings(kafka_security_protocol="SSL"))
    assert options["security_protocol"] == "SSL" and isinstance(options["ssl_context"], ssl.SSLContext)
    assert isinstance(broker_credentials(Settings(kafka_security_protocol="SSL")), faust.SSLCredentials)


@pytest.mark.parametrize("changes, problem", [
    (dict(kafka_security_protocol="KERBEROS"), "want one of"),
    (dict(kafka_security_protocol="SASL_SSL", kafka_sasl_mechanism="PLAIN",
          kafka_sasl_username="u"), "needs NEWSMON_KAFKA_SASL_USERNAME"),
    (dict(kafka_security_protocol="SASL_SSL", kafka_sasl_mechanism="MD5",
          kafka_sasl_username="u", kafka_sasl_password="p"), "MECHANISM"),
])
def test_security_settings_that_cannot_work_are_refused(changes, problem):
    with pytest.raises(ConfigError, match=problem):
        client_options(Settings(**changes))


@pytest.mark.parametrize("raw, reason", [
    (None, "empty"),
    (b"{oops", "not_json"),
    (b"[1, 2]", "not_an_object"),
    (b'{"schema": 7, "id": "x"}', "unknown_schema"),
    (b'{"id": "' + b"x" * 2000 + b'"}', "too_large"),
])
def test_internal_topic_decoder_reasons(raw, reason):
    with pytest.raises(BadMessage) as info:
        decode_object(raw, 1000)
    assert info.value.reason == reason


def test_wrong_schema_on_each_internal_topic():
    with pytest.raises(BadMessage, match="bad_enriched_record"):
        check_enriched({"title": "no id"})
    with pytest.raises(BadMessage, match="bad_enriched_record"):
        check_enriched({"id": "a", "events": "capture"})
    with pytest.raises(BadMessage, match="bad_enriched_record"):
        check_enriched({"id": "a", "events": ["capture"]})
    assert check_enriched({"id": "a", "events": [], "places": None})
    with pytest.raises(BadMessage, match="bad_claim_event"):
        check_claim_event({"key": "k", "event": "capture", "record": {}})
    with pytest.raises(BadMessage, match="bad_alert"):
        check_alert({"kind": "frontline", "status": "first_report"})
    assert check_alert({"alert_id": "a", "kind": "frontline", "status": "first_report"})

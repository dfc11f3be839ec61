"""Secrets never reach a log line, whoever logs them and however."""

import logging

from portal_app import log_redaction


def test_cookie_headers_and_link_tokens_are_redacted(caplog):
    log_redaction.install()
    logger = logging.getLogger("reflex_base.event.processor.event_processor")
    with caplog.at_level(logging.INFO):
        logger.error("Error for Event(router_data={'headers': {'cookie': 'portal_session=SECRET1; x=y'}})")
        logger.error("header %s", "Cookie: portal_session=SECRET2")
        logger.info("GET /reset-password?token=abcdefghijklmnopqrstuvwxyz0123 200")
        logger.error("header %s", "Cookie: __Host-portal_session=SECRET3")  # the name behind HTTPS
    text = caplog.text
    assert "SECRET1" not in text and "SECRET2" not in text and "abcdefghijklmnop" not in text
    assert "SECRET3" not in text
    assert text.count("[redacted]") >= 4


def test_ordinary_messages_are_untouched(caplog):
    log_redaction.install()
    with caplog.at_level(logging.INFO):
        logging.getLogger("portal").info("user %s signed in", 42)
    assert "user 42 signed in" in caplog.text


def test_stripe_keys_and_client_secrets_are_redacted(caplog):
    log_redaction.install()
    with caplog.at_level(logging.INFO):
        logging.getLogger("stripe").error("key sk_test_SECRETKEY123 and %s", "whsec_SIGNING456")
        logging.getLogger("stripe").info("secret pi_3Abc_secret_CLIENT789 and seti_1Xy_secret_SETUP000")
    text = caplog.text
    for secret in ("SECRETKEY123", "SIGNING456", "CLIENT789", "SETUP000"):
        assert secret not in text
    assert "pi_3Abc" in text  # the intent's id itself is not a secret

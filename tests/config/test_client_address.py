"""The client's address: the socket peer unless the operator trusts proxies (config.client_address)."""

import os
import subprocess
import sys

import pytest
from django.test import RequestFactory, override_settings

from config.client_address import client_address, client_bucket


def request_from(peer: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/api/me", **extra)


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address(request_from("198.51.100.1", "203.0.113.7")) == "198.51.100.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "192.0.2.1, 192.0.2.2, 203.0.113.7", "203.0.113.7"),
        (2, "192.0.2.1, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (1, " 2001:db8::7 ", "2001:db8::7"),
        # Fewer entries than proxies, or an entry that is no address: the peer, which the client cannot choose.
        (2, "203.0.113.7", "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, "203.0.113.7, not-an-address", "10.0.0.1"),
    ],
)
def test_with_trusted_proxies_the_entry_the_outermost_one_appended_is_the_client(proxies, forwarded_for, expected):
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_address(request_from("10.0.0.1", forwarded_for)) == expected


def test_ipv6_clients_are_counted_by_their_64_network():
    assert client_bucket(request_from("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    assert client_bucket(request_from("2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::/64"
    assert client_bucket(request_from("::ffff:198.51.100.4")) == "198.51.100.4"
    assert client_bucket(request_from("198.51.100.4")) == "198.51.100.4"


def proxy_count_setting(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "TRUSTED_PROXY_COUNT"}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings.base")
    code = "import django; django.setup(); from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=False)


def test_the_proxy_count_comes_from_the_environment():
    assert proxy_count_setting().stdout.strip() == "0"
    assert proxy_count_setting(TRUSTED_PROXY_COUNT="2").stdout.strip() == "2"
    refused = proxy_count_setting(TRUSTED_PROXY_COUNT="-1")
    assert refused.returncode != 0 and "TRUSTED_PROXY_COUNT" in refused.stderr

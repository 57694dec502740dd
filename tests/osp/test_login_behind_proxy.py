"""Sign-in throttling keys on the client's address, read through the reverse proxies that
OSP_PROXY_COUNT says are in front, so wrong passwords from one place do not lock the same
person out everywhere (a lockout attack), and a forged header dodges nothing."""

import runpy
from pathlib import Path

import pytest
from django.test import Client, override_settings

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "config" / "settings.py"
PROXY = "10.0.0.1"
ATTACKER = "203.0.113.5"
OWNER = "198.51.100.7"


def _client_address_settings(monkeypatch, proxy_count):
    """What config/settings.py makes of OSP_PROXY_COUNT: the settings that decide the address."""
    monkeypatch.setenv("OSP_PROXY_COUNT", str(proxy_count))
    values = runpy.run_path(str(SETTINGS_FILE))
    return {name: value for name, value in values.items()
            if name.startswith(("AXES_IPWARE_", "IPWARE_"))}


@pytest.fixture
def behind_one_proxy(monkeypatch):
    with override_settings(**_client_address_settings(monkeypatch, 1)):
        yield


@pytest.fixture
def no_proxy(monkeypatch):
    with override_settings(**_client_address_settings(monkeypatch, 0)):
        yield


def _sign_in(password, *, remote_addr, forwarded_for=None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client().post("/login/", {"username": "rep_a", "password": password}, **headers)


def test_wrong_passwords_from_one_address_do_not_lock_the_user_out_from_another(
        people, settings, behind_one_proxy):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _sign_in("wrong", remote_addr=PROXY, forwarded_for=ATTACKER)
    assert response.status_code == 429
    # Locked out from there, even with the right password ...
    assert _sign_in("pw", remote_addr=PROXY, forwarded_for=ATTACKER).status_code == 429
    # ... while the owner, through the same proxy, signs in.
    assert _sign_in("pw", remote_addr=PROXY, forwarded_for=OWNER).status_code == 302


def test_behind_a_proxy_a_forged_entry_does_not_dodge_the_lockout(
        people, settings, behind_one_proxy):
    # The proxy appends the address it saw to whatever the client sent.
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = _sign_in("wrong", remote_addr=PROXY, forwarded_for=f"192.0.2.{n}, {ATTACKER}")
    assert response.status_code == 429
    assert _sign_in("pw", remote_addr=PROXY,
                    forwarded_for=f"{OWNER}, {ATTACKER}").status_code == 429
    assert _sign_in("pw", remote_addr=PROXY, forwarded_for=OWNER).status_code == 302


def test_without_a_proxy_a_forged_header_does_not_change_the_address(
        people, settings, no_proxy):
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = _sign_in("wrong", remote_addr=ATTACKER, forwarded_for=f"192.0.2.{n}")
    assert response.status_code == 429
    assert _sign_in("pw", remote_addr=ATTACKER, forwarded_for=OWNER).status_code == 429
    assert _sign_in("pw", remote_addr=OWNER).status_code == 302

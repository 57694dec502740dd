import pytest
from rest_framework.test import APIClient

from sync.services import integration_client_create


def client_for(user, *, rate=100_000, name=None):
    """An HTTP client signed in with a fresh integration client's token."""
    integration, token = integration_client_create(
        name=name or f"siebel-{user.username}-{user.pk}", user=user, requests_per_minute=rate)
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    http.integration, http.token = integration, token
    return http


@pytest.fixture
def siebel(people):
    """A client acting as the administrator (it may import stages)."""
    return client_for(people.admin, name="siebel-prod")


@pytest.fixture
def rep_client(people):
    """A client acting as rep_a: it sees and changes only rep_a's records."""
    return client_for(people.rep_a, name="siebel-rep-a")

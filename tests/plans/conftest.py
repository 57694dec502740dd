import pytest

from tests.selling_cycle.conftest import Walker, make_deal


@pytest.fixture
def walker(people):
    return Walker(people, make_deal(people))

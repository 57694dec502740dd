from django.core.management import call_command

from accounts.models import Account, Contact
from opportunities.models import Opportunity
from osp.models import User


def test_the_demo_loads_once(db, capsys):
    call_command("seed_demo", opportunities=20)
    assert User.objects.count() == 13
    assert Account.objects.count() == 50
    assert Contact.objects.filter(reports_to__isnull=False).exists()  # org charts
    assert Opportunity.objects.count() == 20
    call_command("seed_demo", opportunities=20)
    assert Opportunity.objects.count() == 20
    assert "already loaded" in capsys.readouterr().out


def test_demo_logins_work(db, client):
    call_command("seed_demo", opportunities=5)
    response = client.post("/login/", {"username": "zhang.wei", "password": "osp-demo"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200

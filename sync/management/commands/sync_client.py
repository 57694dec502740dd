"""Create, list, rotate or revoke integration clients from the shell (the admin does the
same). The token is printed once."""

from django.core.management.base import BaseCommand, CommandError

from osp.models import User
from sync import services
from sync.models import IntegrationClient


class Command(BaseCommand):
    help = ("Manage integration clients: create NAME --user USERNAME | list | rotate NAME | "
            "revoke NAME")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "list", "rotate", "revoke"])
        parser.add_argument("name", nargs="?")
        parser.add_argument("--user", help="username the client acts as (create)")
        parser.add_argument("--rate", type=int, default=600, help="requests per minute")

    def handle(self, action, name=None, user=None, rate=600, **options):
        if action == "list":
            for c in IntegrationClient.objects.select_related("user"):
                state = "revoked" if c.revoked_at else "active"
                self.stdout.write(f"{c.name}\t{c.user.username}\t{c.requests_per_minute}/min"
                                  f"\t{state}\tlast used {c.last_used_at or '-'}")
            return
        if not name:
            raise CommandError("Name the client.")
        if action == "create":
            try:
                acting = User.objects.get(username=user)
            except User.DoesNotExist:
                raise CommandError(f"No user {user!r} (--user).") from None
            if IntegrationClient.objects.filter(name=name).exists():
                raise CommandError(f"A client named {name!r} exists; use rotate.")
            _, token = services.integration_client_create(name=name, user=acting,
                                                          requests_per_minute=rate)
            self.stdout.write(token)
            return
        try:
            client = IntegrationClient.objects.get(name=name)
        except IntegrationClient.DoesNotExist:
            raise CommandError(f"No client {name!r}.") from None
        if action == "rotate":
            self.stdout.write(services.integration_client_rotate(client=client))
        else:
            services.integration_client_revoke(client=client)
            self.stdout.write(f"Revoked {name}.")

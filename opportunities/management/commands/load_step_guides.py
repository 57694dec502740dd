"""Write the shipped step guidance (opportunities/step_guides.json) into the database."""

from django.core.management.base import BaseCommand

from opportunities.step_guides import step_guides_load


class Command(BaseCommand):
    help = ("Add the shipped guidance for the eight steps where the database lacks it; "
            "--overwrite also puts the shipped text back over an administrator's edits.")

    def add_arguments(self, parser):
        parser.add_argument("--overwrite", action="store_true",
                            help="replace the text of existing steps and tools")

    def handle(self, *args, overwrite=False, **options):
        counts = step_guides_load(overwrite=overwrite)
        self.stdout.write(f"step guides: {counts['added']} added, "
                          f"{counts['updated']} updated")

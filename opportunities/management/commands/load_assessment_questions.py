"""Write the shipped assessment questions (opportunities/assessment_questions.json) into the
database."""

from django.core.management.base import BaseCommand

from opportunities.assessment_questions import assessment_questions_load


class Command(BaseCommand):
    help = ("Add the shipped opportunity-assessment questions the database lacks; "
            "--overwrite also puts the shipped wording and order back over an "
            "administrator's edits.")

    def add_arguments(self, parser):
        parser.add_argument("--overwrite", action="store_true",
                            help="replace the wording of existing questions")

    def handle(self, *args, overwrite=False, **options):
        counts = assessment_questions_load(overwrite=overwrite)
        self.stdout.write(f"assessment questions: {counts['added']} added, "
                          f"{counts['updated']} updated")

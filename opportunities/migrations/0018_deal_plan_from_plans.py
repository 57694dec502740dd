"""The deal plan and the opportunity assessment move from plans to opportunities (issue
#16): they feed the stage-3 gate. Their tables were renamed by plans.0006 and keep every
row; here the models enter this app's state, with no change to the database, and their
content types follow them (permissions and admin history keep pointing at them)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ["opportunityplan", "assessmentquestion", "assessment", "assessmentanswer"]


def move_content_types(apps, schema_editor, source="plans", target="opportunities"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        # A content type already made for the target (post_migrate on an earlier run)
        # gives way to the one permissions and log entries point at.
        ContentType.objects.filter(app_label=target, model=model).delete()
        ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="opportunities", target="plans")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('opportunities', '0017_deal_plan_settings'),
        ('plans', '0006_deal_plan_moves_to_opportunities'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='AssessmentQuestion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=60, unique=True, verbose_name='code')),
                        ('heading', models.CharField(choices=[('opportunity', 'Is there an opportunity?'), ('compete', 'Can we compete?'), ('win', 'Can we win?'), ('worth', 'Is it worth winning?')], max_length=20, verbose_name='heading')),
                        ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                        ('text_en', models.CharField(max_length=300, verbose_name='question (English)')),
                        ('text_zh', models.CharField(max_length=300, verbose_name='question (Chinese)')),
                        ('is_active', models.BooleanField(default=True, verbose_name='in use')),
                    ],
                    options={
                        'verbose_name': 'assessment question',
                        'verbose_name_plural': 'assessment questions',
                        'ordering': ['position', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Assessment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('stage', models.CharField(max_length=8, verbose_name='stage')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='written')),
                        ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                        ('competitor', models.ForeignKey(blank=True, help_text='Empty: the assessment of our own position.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='opportunities.competitor', verbose_name='competitor')),
                        ('opportunity', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assessments', to='opportunities.opportunity')),
                    ],
                    options={
                        'verbose_name': 'opportunity assessment',
                        'verbose_name_plural': 'opportunity assessments',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='AssessmentAnswer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('answer', models.CharField(choices=[('yes', 'Yes'), ('no', 'No'), ('unknown', 'Unknown')], max_length=10, verbose_name='answer')),
                        ('note', models.CharField(blank=True, max_length=500, verbose_name='note')),
                        ('assessment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='opportunities.assessment')),
                        ('question', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='opportunities.assessmentquestion')),
                    ],
                    options={
                        'constraints': [models.UniqueConstraint(fields=('assessment', 'question'), name='assessment_answer_once')],
                    },
                ),
                migrations.CreateModel(
                    name='OpportunityPlan',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.PositiveIntegerField(verbose_name='version')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='written')),
                        ('win_strategy', models.TextField(blank=True, verbose_name='Win strategy')),
                        ('action_items', models.TextField(blank=True, verbose_name='Action items')),
                        ('business_drivers_roi', models.TextField(blank=True, verbose_name='Business drivers and return on investment')),
                        ('solution_strategy', models.TextField(blank=True, verbose_name='Solution strategy')),
                        ('competitive_strategy', models.TextField(blank=True, verbose_name='Competitive strategy')),
                        ('decision_map', models.TextField(blank=True, verbose_name='Decision map: everyone who influences the decision')),
                        ('relationship_strategy', models.TextField(blank=True, verbose_name='Relationship strategy per key player')),
                        ('risks', models.TextField(blank=True, verbose_name='Risks and countermeasures')),
                        ('action_plan', models.TextField(blank=True, verbose_name='Action plan with a timeline')),
                        ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                        ('opportunity', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='plans', to='opportunities.opportunity')),
                    ],
                    options={
                        'verbose_name': 'opportunity plan',
                        'verbose_name_plural': 'opportunity plans',
                        'ordering': ['opportunity', '-version'],
                        'constraints': [models.UniqueConstraint(fields=('opportunity', 'version'), name='opportunity_plan_version_unique')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]

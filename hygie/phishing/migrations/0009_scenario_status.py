import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def publish_existing(apps, schema_editor):
    """Every scenario that existed before drafts did was reviewed: shipped files, and
    versions staff edited and could already send."""
    Scenario = apps.get_model("phishing", "Scenario")
    Scenario.objects.all().update(status="published")


class Migration(migrations.Migration):
    dependencies = [
        ("phishing", "0008_scanner_texts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="scenario",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="scenario",
            name="published_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="scenario",
            name="status",
            field=models.CharField(
                choices=[("draft", "Draft"), ("published", "Published")],
                default="draft",
                max_length=10,
            ),
        ),
        migrations.RunPython(publish_existing, migrations.RunPython.noop),
    ]

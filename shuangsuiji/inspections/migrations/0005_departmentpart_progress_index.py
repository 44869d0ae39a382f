"""The task's progress (services.progress) counts the parts of the task by participant and state:
an index on (participant, status, publication_due_on) instead of a join to the records."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0004_resultcode_proposes_address_unreachable"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="departmentpart",
            index=models.Index(fields=["participant", "status", "publication_due_on"], name="departmentpart_progress"),
        ),
    ]

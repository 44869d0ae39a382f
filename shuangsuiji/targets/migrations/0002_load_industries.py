"""Load the shipped GB/T 4754-2017 sections and divisions into every database."""

from django.db import migrations


def forwards(apps, schema_editor):
    from shuangsuiji.targets.industries import load_industries

    load_industries(apps.get_model("targets", "Industry"))


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

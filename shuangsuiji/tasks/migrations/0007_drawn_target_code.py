"""The code a draw drew, kept on its drawn-target rows (the inspector draw reads the codes of
50,003 targets from the rows instead of looking each up in the register); existing rows get
their target's code."""

from django.db import migrations, models

FILL = (
    "UPDATE tasks_drawntarget SET code = "
    "(SELECT t.code FROM targets_target t WHERE t.id = tasks_drawntarget.target_id) WHERE code = ''"
)


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0006_draw_index_progress"),
        ("targets", "__first__"),
    ]

    operations = [
        migrations.AddField(
            model_name="drawntarget",
            name="code",
            field=models.CharField(db_default="", max_length=18, verbose_name="抽取时的对象编码"),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]

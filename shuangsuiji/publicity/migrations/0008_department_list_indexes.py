"""A department's lists of one kind (the portal's "抽查结果" list, ``published.Lines``) read their
capped count and their page's ids from the index alone: the two department indexes include the
kind (PostgreSQL; other databases build them without it). Before, each of the first 1,001 rows
was read from the table to filter the kind (bench/portal.py at 3,000,000 results: a cold count
read 1,000 heap pages). And the department's corrected versions, which its lists leave out, are
read from an index of the corrections (a few hundred ids) instead of a probe per row."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("publicity", "0007_publication_dept_year_index")]

    operations = [
        migrations.RemoveIndex(model_name="publication", name="publication_dept_newest"),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                fields=["department", "-published_at", "-id"], include=["kind"], name="publication_dept_newest"
            ),
        ),
        migrations.RemoveIndex(model_name="publication", name="publication_dept_year_newest"),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                fields=["department", "year", "-published_at", "-id"],
                include=["kind"],
                name="publication_dept_year_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                fields=["department"],
                include=["corrects"],
                condition=models.Q(corrects__isnull=False),
                name="publication_dept_corrections",
            ),
        ),
    ]

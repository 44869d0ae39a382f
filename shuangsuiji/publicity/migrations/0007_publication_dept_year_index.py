"""A department's list of one year (``published.listing(department=…, year=…)``), newest first,
reads an index: without it PostgreSQL counted the list's first 1,001 rows by walking every
publication in id order and filtering (255 ms, 18,000 buffers read, for a department's 2024
results at 3,000,000 results, bench/portal.py), and a deep page took seconds.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("publicity", "0006_current_names")]

    operations = [
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                fields=["department", "year", "-published_at", "-id"], name="publication_dept_year_newest"
            ),
        ),
    ]

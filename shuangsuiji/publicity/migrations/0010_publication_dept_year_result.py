"""A department's list of one year filtered by the public result (``published.Lines`` with a
result and a year): (department, year, ``record->>'result'``, newest first), so the page's lines
are an ordered walk of the index. Without it the filter read every result of the department with
that category as a bitmap, tested the year in the table and sorted (a department's 80,000
"未发现问题" at 3,000,000 results: 17 ms in-process, p95 290 ms under load, bench/portal.py)."""

from django.db import migrations, models
from django.db.models.fields.json import KT


class Migration(migrations.Migration):
    dependencies = [("publicity", "0009_region_list_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                models.F("department"),
                models.F("year"),
                KT("record__result"),
                models.F("published_at").desc(),
                models.F("id").desc(),
                name="publication_dept_year_result",
            ),
        ),
    ]

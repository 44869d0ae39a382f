"""A department's list filtered by the public result category (``published.listing(result=…)``)
read an index instead of walking the department's results newest first and testing each
record's JSON (405 ms for a rare category at 3,000,000 results, bench/portal.py):

- ``publication_dept_result``: (department, ``record->>'result'``, newest first), every
  database: the results whose public result is exactly the category;
- on PostgreSQL, ``publication_dept_several_results``: a partial index (department, newest
  first) of the few results that name several categories ("甲；乙", ``record->>'result' LIKE
  '%；%'``), which the filter's other arms read (a trigram index cannot: "；" is no word
  character, so it would find every result naming the category). The whole filter is then one
  bitmap of the department's matching results.
"""

from django.db import migrations, models

from shuangsuiji.pgsql import postgres_only
from django.db.models.fields.json import KT

FORWARD = [
    "CREATE INDEX IF NOT EXISTS publication_dept_several_results ON publicity_publication"
    " (department_id, published_at DESC, id DESC) WHERE (record ->> 'result') LIKE '%%；%%'",  # (%% : the schema editor formats the statement)
]
BACKWARD = ["DROP INDEX IF EXISTS publication_dept_several_results"]


class Migration(migrations.Migration):
    dependencies = [("publicity", "0004_portal_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                models.F("department"),
                KT("record__result"),
                models.F("published_at").desc(),
                models.F("id").desc(),
                name="publication_dept_result",
            ),
        ),
        postgres_only(FORWARD, BACKWARD),
    ]

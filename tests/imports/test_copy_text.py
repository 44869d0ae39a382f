"""The COPY text lines an import's rows travel in (validation → writer → PostgreSQL COPY)
decode back to the same values, whatever the text holds."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.imports import bulk

CONVERTERS = [bulk.text_value, bulk.text_value, int, bulk.bool_value, date.fromisoformat, datetime.fromisoformat]
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))


@given(
    st.tuples(
        texts,
        st.none() | texts,
        st.none() | st.integers(-(2**63), 2**63 - 1),
        st.booleans(),
        st.none() | st.dates(),
        st.datetimes(timezones=st.just(UTC)),
    )
)
def test_a_line_decodes_to_the_values_it_was_made_of(values):
    line = bulk.copy_line(values)
    assert line.count(b"\n") == 1 and line.endswith(b"\n")
    assert line.count(b"\t") == len(values) - 1
    assert bulk.parse_copy_line(line, CONVERTERS) == list(values)


def test_special_characters_and_null():
    assert bulk.copy_line(["a\tb\nc\\d\re", None, "\\N", True, False]) == b"a\\tb\\nc\\\\d\\re\t\\N\t\\\\N\tt\tf\n"
    assert bulk.parse_copy_line(b"\\\\N\t\\N\n", [bulk.text_value, bulk.text_value]) == ["\\N", None]
    # The fast path (no value needs escaping) must not take a text "\N" for a NULL.
    assert bulk.copy_line(("\\N", None)) == b"\\\\N\t\\N\n"
    assert bulk.copy_line(("\\", 1)) == b"\\\\\t1\n"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_postgresql_reads_the_lines_as_the_same_text():
    tricky = ["制表\t符", "换行\n与回车\r", "反斜杠\\N", "\\", "普通文本", ""]
    with connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE copy_text_probe (n int, t text)")
        with cur.cursor.copy("COPY copy_text_probe (n, t) FROM STDIN") as copy:
            copy.write(b"".join(bulk.copy_line([i, text]) for i, text in enumerate(tricky)))
        cur.execute("SELECT t FROM copy_text_probe ORDER BY n")
        assert [row[0] for row in cur.fetchall()] == tricky

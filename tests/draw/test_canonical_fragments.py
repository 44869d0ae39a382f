"""Fragments (canonical.records): the large lists of a result encoded at once give exactly the
bytes of canonical_json of the plain values, and refuse exactly what it refuses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.draw.assign import groups_fragment
from shuangsuiji.draw.canonical import DrawError, canonical_json, records

texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=8)  # controls, quotes, backslashes too
lists = st.lists(texts, max_size=3).map(tuple)


@settings(max_examples=300)
@given(st.lists(st.tuples(texts, lists, lists, texts), max_size=20))
def test_records_give_the_bytes_of_the_plain_value(rows):
    keys = ("department", "experts", "inspectors", "target")
    plain = [dict(zip(keys, (r[0], list(r[1]), list(r[2]), r[3]), strict=True)) for r in rows]
    doc = {"b": records(keys, rows, lambda: plain), "a": [1, None, True]}
    try:
        expected = canonical_json({"b": plain, "a": [1, None, True]})
    except DrawError as exc:
        with pytest.raises(DrawError) as got:
            canonical_json(doc)
        assert str(got.value) == str(exc)
    else:
        assert canonical_json(doc) == expected


@given(st.lists(st.tuples(texts, texts), max_size=20), st.lists(texts, max_size=5))
def test_nested_fragments_and_plain_lists(pairs, order):
    plain = [{"id": a, "ticket": b} for a, b in pairs]
    doc = {"x": {"selected": records(("id", "ticket"), pairs, lambda: plain), "order": order}}
    try:
        expected = canonical_json({"x": {"selected": plain, "order": order}})
    except DrawError:
        with pytest.raises(DrawError):
            canonical_json(doc)
    else:
        assert canonical_json(doc) == expected


def test_a_value_of_another_type_takes_the_checked_path():
    rows = [("a", 1.5)]  # a float: canonical JSON refuses it, with the plain value's path
    frag = records(("id", "ticket"), rows, lambda: [{"id": "a", "ticket": 1.5}])
    assert frag.text is None
    with pytest.raises(DrawError, match="floating point"):
        canonical_json({"l": frag})


def test_a_lone_surrogate_is_refused():
    frag = records(("id", "ticket"), [("\ud800", "x")], lambda: [{"id": "\ud800", "ticket": "x"}])
    with pytest.raises(DrawError, match="surrogate"):
        canonical_json([frag])


def test_keys_must_be_sorted():
    with pytest.raises(ValueError):
        records(("b", "a"), [], list)


def test_groups_fragment_matches_the_groups_json():
    from shuangsuiji.draw.assign import Group

    groups = [Group("91110000MA001", "水务局", ("ZF001", "ZF002"), ("ZJ9",)), Group("T2", "d", ("a",))]
    assert canonical_json({"groups": groups_fragment(groups)}) == canonical_json(
        {"groups": [g.to_json() for g in groups]}
    )

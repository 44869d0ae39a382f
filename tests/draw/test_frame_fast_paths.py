"""The frame's fast paths give exactly what the field-by-field ones gave: the same
population.csv bytes, the same frame read back, the same refusals."""

import random

import pytest

from shuangsuiji.draw import DrawError, Frame
from shuangsuiji.draw.canonical import csv_bytes, sha256_hex
from shuangsuiji.draw.commit import POPULATION_HEADER


def reference_csv(frame: Frame) -> bytes:
    """population.csv as the engine wrote it before (rows sorted by the UTF-8 of the id)."""
    rows = []
    for s, v in frame.ids.items():
        w = frame.weight_list(s) or [1] * len(v)
        rows.extend((i, s, str(x)) for i, x in zip(v, w, strict=True))
    rows.sort(key=lambda r: r[0].encode("utf-8"))
    return csv_bytes(POPULATION_HEADER, rows)


ALPHABETS = {
    "uscc": "0123456789ABCDEFGHJKLMNPQRTUWXY",
    # characters that sort below ',' and ids that are prefixes of others
    "low": "ab +!#$%&'()*",
    "unicode": "a中文é𝄞z-_.",
}


def random_ids(rng, alphabet, n):
    out = set()
    while len(out) < n:
        out.add("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))))
    return sorted(out)


@pytest.mark.parametrize("alphabet", sorted(ALPHABETS))
@pytest.mark.parametrize("weighted", [False, True])
def test_population_csv_is_byte_identical_to_the_field_by_field_writer(alphabet, weighted):
    rng = random.Random(f"{alphabet}{weighted}")
    ids = random_ids(rng, ALPHABETS[alphabet], 400)
    rng.shuffle(ids)
    strata = {s: ids[k::3] for k, s in enumerate(["B", "A", "层3"])}
    weights = {s: [rng.randint(1, 5) for _ in v] for s, v in strata.items()} if weighted else None
    frame = Frame.from_columns(strata, weights)
    data = frame.to_csv()
    assert data == reference_csv(frame)
    # read back both ways: the same frame
    slow = Frame.from_csv(data)
    fast = Frame.from_frozen_csv(data, sha256_hex(data))
    assert fast.ids == slow.ids and fast.weights == slow.weights
    assert fast.to_csv() == data


def test_frozen_population_must_match_the_commitment_hash():
    frame = Frame.from_columns({"A": ["x1", "x2"]})
    data = frame.to_csv()
    with pytest.raises(DrawError, match="population_sha256"):
        Frame.from_frozen_csv(data.replace(b"x2", b"x3"), sha256_hex(data))
    empty = Frame.from_columns({}).to_csv()
    assert Frame.from_frozen_csv(empty, sha256_hex(empty)).ids == {}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("a,b", "must not contain ','"),
        ('a"b', "must not contain ','"),
        ("", "must not be empty"),
        ("a\x00", "control character"),
        ("a\ud800", "lone surrogate"),
        (7, "must be a string"),
    ],
)
def test_invalid_ids_are_refused_with_the_message_naming_them(bad, message):
    with pytest.raises(DrawError, match=message):
        Frame.from_columns({"A": ["ok1", bad, "ok2"], "B": ["ok3"]})


def test_duplicate_ids_are_refused_within_and_across_strata():
    with pytest.raises(DrawError, match="duplicate"):
        Frame.from_columns({"A": ["x", "x"]})
    with pytest.raises(DrawError, match="duplicate"):
        Frame.from_columns({"A": ["x"], "B": ["x"]})

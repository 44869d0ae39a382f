import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.draw import DrawError, StratumRule, canonical_json, parse_ratio, sample_size


def test_ratio_parsing_exact():
    assert parse_ratio("0.10") * 10 == 1
    assert parse_ratio("1/3") * 3 == 1
    assert parse_ratio("1") == 1
    for bad in ["0.1e1", "1.5", "-0.1", ".5", "0.5 ", "2/1", "1/0", "01.5", 0.1]:
        with pytest.raises(DrawError):
            parse_ratio(bad)


@pytest.mark.parametrize(
    ("N", "rule", "n"),
    [
        (100, StratumRule("0.03"), 3),
        (101, StratumRule("0.03"), 4),  # ceil(3.03)
        (10, StratumRule("0.05", min=2), 2),
        (1000, StratumRule("0.5", max=20), 20),
        (3, StratumRule("0.1", min=5), 3),  # clamped to N
        (0, StratumRule("0.1", min=5), 0),
        (7, StratumRule("1/3"), 3),
        (10_000_000, StratumRule("0.01"), 100_000),
        (3, StratumRule("0.7"), 3),
        (100, StratumRule("0.07"), 7),  # floating point: 100*0.07 = 7.000000000000001 -> 8
    ],
)
def test_sample_size(N, rule, n):
    assert sample_size(N, rule) == n


@given(
    N=st.integers(0, 10**9),
    num=st.integers(0, 10_000),
    mn=st.integers(0, 50),
    extra=st.one_of(st.none(), st.integers(0, 50)),
)
def test_sample_size_rule(N, num, mn, extra):
    ratio = f"{num // 10_000}.{num % 10_000:04d}"
    mx = None if extra is None else mn + extra
    n = sample_size(N, StratumRule(ratio, mn, mx))
    exact = N * num  # N * ratio * 10000
    ceil = -(-exact // 10_000)
    expected = min(max(ceil, mn), N if mx is None else min(mx, N))
    assert n == expected
    assert 0 <= n <= N


def test_canonical_json_rejects_floats_and_controls():
    assert canonical_json({"b": 1, "a": ["x", None, True]}) == b'{"a":["x",null,true],"b":1}'
    assert canonical_json({"é": "中"}) == '{"é":"中"}'.encode()
    with pytest.raises(DrawError):
        canonical_json({"a": 0.1})
    with pytest.raises(DrawError):
        canonical_json({"a": "x\ny"})


def test_min_greater_than_max_refused():
    with pytest.raises(DrawError):
        StratumRule("0.1", min=5, max=3)

"""USCC validation (python-stdnum, GB 32100-2015) with Chinese reasons."""

import pytest
from stdnum.cn import uscc as stdnum_uscc

from shuangsuiji.demo.realistic import make_uscc
from shuangsuiji.targets.validation import clean_uscc

REAL_VALID = ["91110000600037341L", "91440300708461136T", "914403001922038216", "91330100716105852F"]


@pytest.mark.parametrize("code", REAL_VALID)
def test_real_codes_are_valid(code):
    assert clean_uscc(code) == code
    assert clean_uscc(code.lower()) == code


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91110000600037341X", "校验位错误"),  # one character off
        ("91440300708461136", "18 位"),
        ("9144030070846113600", "18 位"),
        ("A1440300708461136T", "格式"),
        ("91440300708461136I", "格式"),  # I is not in the USCC alphabet
    ],
)
def test_bad_codes_are_rejected_with_a_reason(code, reason):
    with pytest.raises(ValueError, match=reason):
        clean_uscc(code)


def test_demo_codes_are_valid_and_distinct():
    import random

    rng = random.Random(1)
    codes = [make_uscc(rng, "1") for _ in range(2000)]
    assert all(stdnum_uscc.is_valid(c) for c in codes)
    assert len(set(codes)) == len(codes)


def test_fast_check_character_agrees_with_stdnum():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from shuangsuiji.targets.validation import uscc_check_char

    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

    @settings(max_examples=500, deadline=None)
    @given(st.text(alphabet="0123456789", min_size=8, max_size=8), st.text(alphabet=alphabet, min_size=9, max_size=9))
    def check(head, body):
        stem = head + body
        assert uscc_check_char(stem) == stdnum_uscc.calc_check_digit(stem)
        code = stem + uscc_check_char(stem)
        assert clean_uscc(code) == code

    check()
    for code in REAL_VALID:
        assert uscc_check_char(code[:17]) == code[17]

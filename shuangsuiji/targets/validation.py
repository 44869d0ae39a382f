"""Validation of target fields shared by the entry form and the import."""

from __future__ import annotations

import re
from datetime import date, datetime
from operator import mul

from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc as stdnum_uscc

from shuangsuiji.targets.choices import TargetType

# Types whose registration always gives a USCC (统一社会信用代码).
USCC_REQUIRED = {TargetType.ENTERPRISE, TargetType.INDIVIDUAL, TargetType.COOPERATIVE, TargetType.FOREIGN_REP}

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
_TRUE = {"是", "Y", "YES", "TRUE", "1", "√"}
_FALSE = {"否", "N", "NO", "FALSE", "0", ""}


_USCC_SHAPE = re.compile(r"^[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}$")
# GB 32100-2015 check character: the alphabet and weights python-stdnum uses; the fast path
# below is tested against stdnum.cn.uscc on generated and real codes (tests/targets).
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(_ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """The check character of the first 17 characters (which must be in ``_ALPHABET``)."""
    total = sum(map(mul, map(_VALUE.__getitem__, first17), _WEIGHTS))
    return _ALPHABET[(31 - total % 31) % 31]


def clean_uscc(value: str) -> str:
    """The USCC in canonical form, or ValueError with a Chinese reason (python-stdnum rules).

    Well-formed input (the bulk of an import) takes the short path: the shape is checked with
    one regular expression and the check character by the GB 32100-2015 weights (the same
    computation as python-stdnum, tested against it); anything else goes through
    ``stdnum.cn.uscc.validate`` for the precise reason.
    """
    if _USCC_SHAPE.match(value):
        if uscc_check_char(value[:17]) == value[17]:
            return value
        raise ValueError("统一社会信用代码校验位错误（GB 32100-2015）")
    try:
        return stdnum_uscc.validate(value)
    except stdnum_errors.InvalidLength:
        raise ValueError("统一社会信用代码应为 18 位") from None
    except stdnum_errors.InvalidFormat:
        raise ValueError("统一社会信用代码含有不允许的字符或格式不正确") from None
    except stdnum_errors.InvalidChecksum:
        raise ValueError("统一社会信用代码校验位错误（GB 32100-2015）") from None
    except stdnum_errors.ValidationError:
        raise ValueError("统一社会信用代码无效") from None


def parse_date(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError("日期格式应为 YYYY-MM-DD")


_BOOL = {"是": True, "否": False, "": False}


def parse_bool(value: str) -> bool:
    known = _BOOL.get(value)  # the usual cells, without stripping and case folding
    if known is not None:
        return known
    v = value.strip().upper()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ValueError("应填“是”或“否”")


def parse_count(value: str) -> int:
    v = value.strip()
    if not v:
        return 0
    if not (v.isascii() and v.isdigit() and len(v) <= 9):
        raise ValueError("应为非负整数")
    return int(v)


def split_list(value: str) -> list[str]:
    if not value:
        return []
    return [p.strip() for p in re.split(r"[、,，;；|]", value) if p.strip()]


def established_on_error(value: date | None, today: date) -> str | None:
    """成立日期 cannot lie in the future (a date such as 2099 is a typing error)."""
    if value is not None and value > today:
        return f"成立日期 {value.isoformat()} 晚于今天（{today.isoformat()}），请核对"
    return None

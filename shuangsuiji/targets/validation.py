"""Validation of target fields shared by the entry form and the import."""

from __future__ import annotations

import re
from datetime import date, datetime

from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc as stdnum_uscc

from shuangsuiji.targets.choices import TargetType

# Types whose registration always gives a USCC (统一社会信用代码).
USCC_REQUIRED = {TargetType.ENTERPRISE, TargetType.INDIVIDUAL, TargetType.COOPERATIVE, TargetType.FOREIGN_REP}

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
_TRUE = {"是", "Y", "YES", "TRUE", "1", "√"}
_FALSE = {"否", "N", "NO", "FALSE", "0", ""}


def clean_uscc(value: str) -> str:
    """The USCC in canonical form, or ValueError with a Chinese reason (python-stdnum rules)."""
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
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError("日期格式应为 YYYY-MM-DD")


def parse_bool(value: str) -> bool:
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
    if not re.fullmatch(r"\d{1,9}", v):
        raise ValueError("应为非负整数")
    return int(v)


def split_list(value: str) -> list[str]:
    return [p.strip() for p in re.split(r"[、,，;；|]", value) if p.strip()]

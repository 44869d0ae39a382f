"""Validation of inspector fields shared by the entry form and the import."""

from __future__ import annotations

import re

# Reused parsers of the target register: dates (YYYY-MM-DD, 2026/1/2, 2026年1月2日 …),
# 是/否 flags and tag lists separated by 、 (or , ; |).
from shuangsuiji.targets.validation import parse_bool, parse_date, split_list

__all__ = ["clean_certificate_no", "clean_phone", "parse_bool", "parse_date", "split_list"]

_CERT = re.compile(r"^[\u4e00-\u9fff]{0,2}[0-9A-Z][0-9A-Z-]{3,29}$")
_PHONE = re.compile(r"^[0-9+\- ]{7,20}$")


def clean_certificate_no(value: str) -> str:
    """执法证号 in canonical form (trimmed, upper case), or ValueError with a Chinese reason.

    Accepted: optional province abbreviation (冀), then 4–30 digits, Latin letters or hyphens,
    e.g. 13053410001, 冀130534-00001, ZJ13053400001.
    """
    value = re.sub(r"\s+", "", value or "").upper()
    if not value:
        raise ValueError("执法证号不能为空")
    if not _CERT.match(value):
        raise ValueError("执法证号格式不正确（可含省份简称，其余为数字、字母或连字符，4–32 位）")
    return value


def clean_phone(value: str) -> str:
    value = (value or "").strip()
    if value and not _PHONE.match(value):
        raise ValueError("联系电话应为 7–20 位数字（可含 +、- 和空格）")
    return value

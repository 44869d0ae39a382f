"""The one parser of every ratio a user types (plans, items, tasks: pages, imports and the API).

Two units, decided by where the value is typed:

- **percent** (every page field and import column labelled “（%）”): the number *is* a percent.
  "5", "5%", "5 %", "５％", "12.5" → 5 %, 12.5 %. "0.05" is 0.05 % (not 5 %): a page never
  asks for a fraction, and a value below an item's minimum is refused with both numbers, so a
  user who meant 5 % sees it at once ("0.05% 低于 5%").
- **fraction** (the API, whose fields say "0.1 表示 10%"): "0.05" is 5 %; a value with a percent
  sign ("5%") is read as a percent.

Full-width digits, the full-width point and percent sign (０-９ ． ％) and spaces are
normalised, never refused. Messages use the unit the user typed: "150 % 超过 100 %",
"1.5（150 %）超过 1（100 %）". Stored ratios are fractions with at most four decimal places
(a percent with at most two).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

HUNDRED = Decimal(100)
STEP = Decimal("0.0001")  # of a fraction: two decimal places of a percent
_WIDE = str.maketrans("０１２３４５６７８９．％－＋", "0123456789.%-+")


class RatioError(ValueError):
    """A ratio that cannot be used; the message is Chinese, in the unit the user typed."""


def percent_text(fraction: Decimal | str | float) -> str:
    """0.05 → "5%" (how every page shows a ratio)."""
    d = (Decimal(str(fraction)) * HUNDRED).normalize()
    return f"{d:f}%"


def _number(value) -> tuple[str, Decimal, bool]:
    """(the text as normalised, its number, whether it carried a percent sign)."""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        text = format(Decimal(str(value)).normalize(), "f")
    else:
        text = str(value if value is not None else "")
    text = "".join(text.translate(_WIDE).split())
    has_percent = text.endswith("%")
    digits = text.rstrip("%")
    try:
        number = Decimal(digits)
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or not digits or digits.count("%"):
        raise RatioError(f"“{value}”不是比例（填百分数，如 5 或 5%）")
    return text, number, has_percent


def _checked(percent: Decimal, shown: str, limit: str) -> Decimal:
    shown = shown if shown.endswith("）") else f"{shown} "
    if percent < 0:
        raise RatioError(f"{shown}不能为负数")
    if percent == 0:
        raise RatioError(f"{shown}须大于 0")
    if percent > HUNDRED:
        raise RatioError(f"{shown}超过 {limit}")
    fraction = percent / HUNDRED
    if fraction != fraction.quantize(STEP):
        raise RatioError(f"{shown}最多保留两位小数（百分数）")
    return fraction.quantize(STEP)


def parse_percent(value) -> Decimal:
    """A ratio typed as a percent → its fraction (``Decimal("0.05")``); RatioError otherwise."""
    _text, number, _ = _number(value)
    return _checked(number, f"{number.normalize():f} %", "100 %")


def parse_fraction(value) -> Decimal:
    """A ratio sent as a fraction (API) → the fraction; a percent sign makes it a percent."""
    _text, number, has_percent = _number(value)
    if has_percent:
        return _checked(number, f"{number.normalize():f} %", "100 %")
    shown = f"{number.normalize():f}（{(number * HUNDRED).normalize():f} %）"
    return _checked(number * HUNDRED, shown, "1（100 %）")


def below(fraction: Decimal, floor: Decimal) -> str:
    """ "3% 低于 5%" (a ratio under a required minimum, as the pages show ratios)."""
    return f"{percent_text(fraction)} 低于 {percent_text(floor)}"

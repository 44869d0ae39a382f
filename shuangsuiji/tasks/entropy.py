"""Public entropy at the ceremony: how entries are normalised and how much is enough.

The operator knows the server secret, so before the public entropy is entered the only thing
between the operator and the drawn list is the number of possible public entries. The platform
requires at least ``MINIMUM_BITS`` of public entropy for a target draw (docs/draw-spec.md §7.3
explains the choice):

- 骰子 (``dice``): each digit 1–6 counts log2(6) ≈ 2.585 bits (25 digits = 64.6 bits);
- 彩票 (``lottery``): a named public lottery draw (the source names the lottery and its issue);
  each number counts log2(10) ≈ 3.32 bits, at most ``LOTTERY_CAP_BITS`` per draw (the largest
  national lotteries have about 2^24 outcomes), so it is completed with dice;
- 其他 (``other``): recorded and hashed into the seed, but counts nothing (nobody can tell how
  it was chosen).

Entries are accepted as people type them: full-width digits (３ １ ６), Chinese separators
(，、；) and any spaces are normalised.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

MINIMUM_BITS = 64
DICE_BITS = math.log2(6)
LOTTERY_NUMBER_BITS = math.log2(10)
LOTTERY_CAP_BITS = 24.0
MINIMUM_DICE = math.ceil(MINIMUM_BITS / DICE_BITS)  # 25

KIND_LABELS = {
    "dice": "骰子",
    "lottery": "彩票开奖号码",
    "other": "其他公开随机数",
    "target_draw_seed": "检查对象抽取的随机种子",
}
ACCEPTED = (
    f"可录入：骰子点数（1–6，至少 {MINIMUM_DICE} 个，可用空格、逗号或顿号分隔，全角数字亦可）；"
    "或注明彩种和期号的彩票开奖号码，再加骰子点数补足。"
)

_SEPARATORS = re.compile(r"[\s,，、;；/|]+")


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def normalise(kind: str, value: str) -> str:
    """Full-width to half-width (NFKC), Chinese separators and spaces to one space.

    Dice may also be typed without separators ("316625"): each digit is one throw."""
    text = unicodedata.normalize("NFKC", value or "")
    text = _SEPARATORS.sub(" ", text).strip()
    if kind == "dice" and text and all(ch.isdigit() or ch == " " for ch in text):
        return " ".join(ch for ch in text if ch != " ")
    return text


def bits_of(kind: str, value: str) -> float:
    """The entropy an entry contributes, by the rule in the module docstring."""
    tokens = value.split()
    if kind == "dice":
        return len(tokens) * DICE_BITS
    if kind == "lottery":
        numbers = [t for t in tokens if t.isdigit()]
        return min(len(numbers) * LOTTERY_NUMBER_BITS, LOTTERY_CAP_BITS)
    return 0.0


@dataclass(frozen=True)
class Tally:
    bits: float
    minimum: int = MINIMUM_BITS

    @property
    def enough(self) -> bool:
        return self.bits >= self.minimum

    @property
    def shown(self) -> str:
        return f"{math.floor(self.bits * 10) / 10:g}"

    @property
    def dice_missing(self) -> int:
        """Dice digits still needed to reach the minimum."""
        return max(0, math.ceil((self.minimum - self.bits) / DICE_BITS - 1e-9))


def tally(entries) -> Tally:
    """Entries: objects with ``kind`` and ``value`` (already normalised)."""
    return Tally(sum(bits_of(e.kind, e.value) for e in entries))

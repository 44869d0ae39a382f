"""Plain data and generators for realistic demo and benchmark records (no Django imports).

Names are invented from the demo county's real industries, towns and streets; USCCs carry
valid check digits (GB 32100-2015) around a valid GB 11714 organisation code.
"""

from __future__ import annotations

import random

from stdnum.cn import uscc as stdnum_uscc

COUNTY = "130534"

TOWNS = ["葛仙庄镇", "连庄镇", "油坊镇", "谢炉镇", "王官庄镇", "坝营镇", "城区"]
STREETS = ["武松路", "长江街", "黄金大道", "泰山路", "和平路", "建设大街", "羊绒小镇", "开发区", "工业园区", "人民路"]
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕红梅立新玉兰文军永刚晓东春梅宏伟凤"
    "英建华振华金凤淑珍"
)
BRANDS = [
    "宏达",
    "鑫源",
    "恒泰",
    "永盛",
    "金鼎",
    "瑞祥",
    "华美",
    "东升",
    "富康",
    "顺通",
    "佳诚",
    "博远",
    "兴业",
    "汇丰",
    "聚德",
    "天成",
    "润泽",
    "中信",
    "德胜",
    "泰和",
    "昌盛",
    "盛世",
    "万通",
    "嘉禾",
    "祥云",
    "广源",
    "銘扬",
    "卓越",
    "雪莲",
    "绒都",
    "运河",
    "鼎鑫",
    "新宇",
    "长城",
    "朝阳",
    "春晖",
    "金帝",
    "宏图",
    "海川",
    "诚信",
]
# (division, trade words, share)
TRADES = [
    ("17", ["羊绒制品", "纺织", "毛纺"], 18),
    ("18", ["服饰", "针织服装", "羊绒衫"], 8),
    ("36", ["汽车密封件", "汽车配件", "橡塑制品"], 10),
    ("33", ["硬质合金刀具", "五金制品", "金属制品"], 6),
    ("29", ["橡胶制品", "塑料制品"], 4),
    ("51", ["商贸", "羊绒贸易", "农资"], 14),
    ("52", ["超市", "便利店", "五金店", "服装店", "副食店"], 16),
    ("61", ["宾馆", "快捷酒店"], 3),
    ("62", ["餐饮", "饭店", "小吃店"], 9),
    ("01", ["种植", "果蔬种植"], 4),
    ("03", ["养殖", "畜牧养殖"], 3),
    ("48", ["建筑工程", "市政工程"], 3),
    ("54", ["物流", "运输"], 2),
]
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code(rng: random.Random) -> str:
    """A GB 11714 organisation code: 8 characters and its check character."""
    body = "MA" + "".join(rng.choice(_ORG_ALPHABET) for _ in range(6))
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body]
    check = 11 - sum(v * w for v, w in zip(values, _ORG_WEIGHTS, strict=True)) % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def make_uscc(rng: random.Random, category: str) -> str:
    """9 (市场监管登记) + category (1 企业, 2 个体工商户, 3 农民专业合作社) + county + org code + check."""
    stem = f"9{category}{COUNTY}{_org_code(rng)}"
    return stem + stdnum_uscc.calc_check_digit(stem)

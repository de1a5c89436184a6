"""The people and places of a generated district: surnames, given names, community and street
names (Xuanwu, Nanjing). Both generators draw from these, with their own random stream."""

from __future__ import annotations

import random

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红兰凤建文辉力林成国海云荣新春")
PLACES = ["梅园新村", "玄武门", "锁金村", "后宰门", "孝陵卫", "红山", "新街口", "兰园", "珠江路",
          "大行宫", "丹凤街", "进香河", "湖南路", "紫金山", "龙蟠里", "仙鹤门", "月苑", "卫岗"]
STREETS = ["梅园新村", "玄武门", "锁金村", "孝陵卫", "红山", "新街口", "玄武湖", "湖南路",
           "朝天宫", "夫子庙", "中华门", "五老村", "洪武路", "双塘", "宁海路", "江东",
           "兴隆", "南湖", "莫愁湖", "沙洲", "迈皋桥", "燕子矶", "尧化", "马群"]


def person_names(rng: random.Random, count: int, taken: set[str],
                 two_given: float) -> list[str]:
    """``count`` names not in ``taken`` (added to it); a share ``two_given`` of them have a
    two-character given name. The draws are the generators' own: a seed gives the same
    district every time."""
    out: list[str] = []
    while len(out) < count:
        name = (rng.choice(SURNAMES) + rng.choice(GIVEN)
                + (rng.choice(GIVEN) if rng.random() < two_given else ""))
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def community_name(index: int) -> str:
    """The ``index``-th community's name: the places in turn, numbered from their second use."""
    place = PLACES[index % len(PLACES)]
    return f"{place}{'' if index < len(PLACES) else index // len(PLACES) + 1}社区"

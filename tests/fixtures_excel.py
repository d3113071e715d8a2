"""A messy office ledger, built the way real ones look (issue #8).

Title and 填报单位/填报日期 rows above the header; the office's own header words;
the unit cell merged down over its rows; dates as real Excel dates and as text;
phones written every which way; full-width letters, padded spaces, emoji and a
very long purpose; a row duplicated by mistake; blank rows and a 合计 row; a
HYPERLINK formula with a cached value and one without; invalid values.

Rows (Excel numbering) and what the import must say about them:

====  ==========================  =========================================
row   account                     verdict
====  ==========================  =========================================
4     微信 bit_ie                 new (real Excel date, phones, office phone)
5     微博 1234567890             new (emoji, 2019年3月, very long purpose)
6     抖音 dy_bitie               new (ＢＩＴ, padded, 2019.03, 010- in 手机)
7     B站 bili_ie                 new (ID from a HYPERLINK with cached value)
8     微信 bit_mv                 new (2016-9-1)
9     微信 bit_mv                 duplicate of row 8
10    小红书 xhs_mv               error: 7-digit mobile
11    快手 ks_youth               error: 2015-13-40
12    知乎 (formula, no value)    error: formula without a cached value
13    微信公众号 bit_gs           new (2020/10), unit 研究生会 is new
14-15 blank
16    合计                        skipped
====  ==========================  =========================================
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl

from nmdesk.excel.cells import set_text_cell

HEADERS = [
    "序号",
    "开设单位",
    "平台",
    "账号类型",
    "账号名称",
    "账号 ID 号",
    "开通时间",
    "级别",
    "用途",
    "单位负责人",
    "职务",
    "办公电话",
    "手机",
    "邮箱",
    "运维负责人",
    "手机",
    "备注",
]
LONG_PURPOSE = "发布学院新闻、通知公告、学术讲座与招生就业信息，服务师生校友。" * 12
UNITS = ["信息与电子学院", "机械与车辆学院", "校团委", "研究生会"]
EXPECTED = {"new": 6, "update": 0, "unchanged": 0, "duplicate": 1, "error": 3}


def _rows() -> list[list[object]]:
    ie, mv = "信息与电子学院", "机械与车辆学院"
    return [
        [
            1,
            ie,
            "微信",
            "订阅号",
            "北理工信电学院",
            "bit_ie",
            dt.datetime(2018, 9, 1),
            "二级",
            "发布学院新闻",
            "张三",
            "院长",
            "010-68912345",
            "139 1111 3333",
            "ZS@bit.edu.cn",
            "李四",
            "+86 13911114444",
            "",
        ],
        [
            2,
            None,
            "微博",
            "机构认证",
            "信电学院😀",
            1234567890,
            "2019年3月",
            "二级",
            LONG_PURPOSE,
            "张三",
            "院长",
            "",
            "138-2222-3333",
            "",
            "李四",
            "",
            "=1+1",
        ],
        [
            3,
            None,
            "抖音",
            "企业号",
            "  ＢＩＴ信电  ",
            " dy_bitie ",
            "2019.03",
            "2",
            "短视频",
            "张三",
            "院长",
            "",
            "010-68912345",
            "",
            "王五",
            "13911115555",
            "",
        ],
        [
            4,
            None,
            "B站",
            "机构号",
            "信电B站",
            None,
            "2017年",
            "二级",
            "视频",
            "张三",
            "院长",
            "",
            "",
            "",
            "王五",
            "",
            "@SUM(A1)",
        ],
        [
            5,
            mv,
            "微信",
            "服务号",
            "北理工机车",
            "bit_mv",
            "2016-9-1",
            "二级",
            "学院服务",
            "赵六",
            "书记",
            "010-68911111",
            "13800001111",
            "",
            "钱七",
            "13800002222",
            "",
        ],
        [
            6,
            None,
            "微信",
            "服务号",
            "北理工机车",
            "bit_mv",
            "2016-9-1",
            "二级",
            "学院服务",
            "赵六",
            "书记",
            "010-68911111",
            "13800001111",
            "",
            "钱七",
            "13800002222",
            "",
        ],
        [
            7,
            None,
            "小红书",
            "企业号",
            "机车小红书",
            "xhs_mv",
            "2020/10",
            "二级",
            "生活分享",
            "赵六",
            "书记",
            "",
            "1391111",
            "",
            "钱七",
            "",
            "",
        ],
        [
            8,
            "校团委",
            "快手",
            "机构号",
            "北理青年",
            "ks_youth",
            "2015-13-40",
            "二级",
            "青年",
            "孙八",
            "书记",
            "",
            "13700001111",
            "",
            "",
            "",
            "",
        ],
        [
            9,
            "校团委",
            "知乎",
            "机构号",
            "北理知乎",
            None,
            "2018年",
            "二级",
            "问答",
            "孙八",
            "书记",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            10,
            "研究生会",
            "微信公众号",
            "订阅号",
            "北理工研究生会",
            "bit_gs",
            "2020/10",
            "二级",
            "研究生服务",
            "周九",
            "主席",
            "",
            "15011112222",
            "",
            "",
            "",
            "",
        ],
    ]


def build_messy_ledger(path: Path) -> Path:
    """Write the messy ledger described above; returns ``path``."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "账号台账"
    ws["A1"] = "北京理工大学新媒体公共账号台账（2024年度）"
    ws.merge_cells("A1:Q1")
    ws["A2"] = "填报单位：党委宣传部"
    ws["I2"] = "填报日期：2024年12月1日"
    ws.append(HEADERS)
    for row in _rows():
        ws.append(row)
    ws.append([])
    ws.append([])
    ws.append(["合计", None, None, None, "10 个账号"])
    set_text_cell(ws["Q5"], "=1+1")  # a clerk's text that looks like a formula
    ws.merge_cells("B4:B7")
    ws.merge_cells("B8:B10")
    ws["G4"].number_format = "yyyy-mm-dd"
    ws["F7"] = '=HYPERLINK("https://space.bilibili.com/1","bili_ie")'
    ws["F12"] = '=HYPERLINK("https://www.zhihu.com/org/bit")'
    wb.save(path)
    _set_cached_value(path, "F7", "bili_ie")
    return path


def _set_cached_value(path: Path, ref: str, value: str) -> None:
    """Give a formula cell the cached result Excel would have saved (openpyxl writes none)."""
    temp = path.with_suffix(".tmp")
    with (
        zipfile.ZipFile(path) as source,
        zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                pattern = re.compile(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/>')
                text, count = pattern.subn(
                    lambda m: f'<c r="{ref}"{m.group(1)} t="str"><f>{m.group(2)}</f><v>{value}</v>',
                    text,
                )
                assert count == 1, "formula cell not found"
                data = text.encode("utf-8")
            target.writestr(item, data)
    shutil.move(temp, path)


def build_variant_ledger(path: Path) -> Path:
    """A second office's words: 所属单位 / 微信号 / 开设时间, no title rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(
        ["所属单位", "开设平台", "账号名称", "微信号", "开设时间", "账号级别", "负责人", "手机"]
    )
    ws.append(
        [
            "信息与电子学院",
            "微信",
            "北理工信电学院",
            "bit_ie",
            "2018-09-01",
            "二级账号",
            "张三",
            "13911113333",
        ]
    )
    wb.save(path)
    return path


def build_two_row_header_ledger(path: Path) -> Path:
    """A ledger laid out like the filing sheet: 单位负责人 and 运维负责人 each merged across
    姓名 / 职务 / 办公电话 / 手机 / 邮箱 in the row below; single columns merged down."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws["A1"] = "新媒体公共账号备案台账"
    ws.merge_cells("A1:N1")
    top = ["开设单位", "开设平台", "账号名称", "账号 ID 号", "开设时间", "单位负责人", None, None,
           None, None, "运维负责人", None, None, "备注"]  # fmt: skip
    below = [None] * 5 + ["姓名", "职务", "办公电话", "手机", "邮箱", "姓名", "手机", "邮箱", None]
    ws.append(top)
    ws.append(below)
    for column in "ABCDEN":
        ws.merge_cells(f"{column}2:{column}3")
    ws.merge_cells("F2:J2")
    ws.merge_cells("K2:M2")
    ws.append(
        [
            "信息与电子学院",
            "微信",
            "北理工信电学院",
            "bit_ie",
            "2018年9月",
            "张三",
            "院长",
            "010-68912345",
            "13911113333",
            "zs@bit.edu.cn",
            "李四",
            "13911114444",
            "",
            "",
        ]
    )
    ws.append(["信息与电子学院", "微博", "信电微博", "wb_ie", "2019", "张三", "院长", "", "",
               "", "王五", "010-68915555", "ww@bit.edu.cn", ""])  # fmt: skip
    wb.save(path)
    return path

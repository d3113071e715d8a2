"""A realistic synthetic register for trying nmdesk out and for screenshots and tests.

About 40 units in a tree, people with valid contacts, accounts on every
platform in every status, role holders, approvals, filings (some overdue),
sanctions, incidents and watch-list entries. Everything goes through the store,
so the demo register is audited and verifiable like a real one.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from nmdesk.dates import PartialDate
from nmdesk.models import (
    Account,
    AccountStatus,
    Application,
    ApplicationDecision,
    FieldChange,
    FilingKind,
    Incident,
    Person,
    PersonKind,
    Sanction,
    SanctionKind,
    Unit,
    WatchEntry,
)
from nmdesk.services.accounts import approve, assign_role, create_account
from nmdesk.services.filings import confirm_closure, mark_filed, start_closure
from nmdesk.services.sanctions import issue
from nmdesk.store import create_register
from nmdesk.store.interfaces import Register

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "华",
    "建国",
    "志强",
    "晓东",
    "雨涵",
    "子轩",
    "浩然",
    "思远",
    "欣怡",
    "一鸣",
    "佳琪",
    "梓萱",
    "宇航",
    "嘉怡",
    "俊杰",
    "晨曦",
    "昊天",
    "诗涵",
]
TITLES_STAFF = [
    "党委书记",
    "院长",
    "副院长",
    "党委副书记",
    "主任",
    "副主任",
    "宣传干事",
    "辅导员",
    "科员",
]
PURPOSES = [
    "发布本单位新闻动态、通知公告，展示教学科研成果",
    "面向学生发布学习、活动和就业信息，服务学生成长",
    "招生宣传，解答考生和家长咨询",
    "校友联络，发布校友活动与返校信息",
    "科普传播与学术交流，推送讲座和学术报告信息",
    "团学工作宣传，发布志愿服务和社会实践活动",
]

BIT_UNITS: list[tuple[str, str, str | None, str]] = [
    ("北京理工大学", "school", None, "北理工"),
    ("党委宣传部", "party_office", "北京理工大学", "宣传部"),
    ("党委学生工作部", "party_office", "北京理工大学", "学工部"),
    ("教务部", "admin_dept", "北京理工大学", "教务部"),
    ("研究生院", "admin_dept", "北京理工大学", "研究生院"),
    ("招生办公室", "admin_dept", "北京理工大学", "招生办"),
    ("国际交流合作处", "admin_dept", "北京理工大学", "国际处"),
    ("图书馆", "support_unit", "北京理工大学", "图书馆"),
    ("后勤集团", "support_unit", "北京理工大学", "后勤"),
    ("校团委", "mass_org", "北京理工大学", "团委"),
    ("校工会", "mass_org", "北京理工大学", "工会"),
    ("校友会办公室", "alumni_org", "北京理工大学", "校友会"),
    ("宇航学院", "college", "北京理工大学", "宇航"),
    ("机电学院", "college", "北京理工大学", "机电"),
    ("机械与车辆学院", "college", "北京理工大学", "机车"),
    ("光电学院", "college", "北京理工大学", "光电"),
    ("信息与电子学院", "college", "北京理工大学", "信电"),
    ("自动化学院", "college", "北京理工大学", "自动化"),
    ("计算机学院", "college", "北京理工大学", "计算机"),
    ("网络空间安全学院", "college", "北京理工大学", "网安"),
    ("集成电路与电子学院", "college", "北京理工大学", "集电"),
    ("材料学院", "college", "北京理工大学", "材料"),
    ("化学与化工学院", "college", "北京理工大学", "化学"),
    ("生命学院", "college", "北京理工大学", "生命"),
    ("数学与统计学院", "college", "北京理工大学", "数学"),
    ("物理学院", "college", "北京理工大学", "物理"),
    ("管理学院", "college", "北京理工大学", "管理"),
    ("人文与社会科学学院", "college", "北京理工大学", "人文"),
    ("法学院", "college", "北京理工大学", "法学"),
    ("外国语学院", "college", "北京理工大学", "外国语"),
    ("设计与艺术学院", "college", "北京理工大学", "设计"),
    ("前沿交叉科学研究院", "research_institute", "北京理工大学", "交叉院"),
    ("计算机学院学生会", "student_org", "计算机学院", "计算机学生会"),
    ("计算机学院团委", "mass_org", "计算机学院", "计算机团委"),
    ("机电学院研究生会", "student_org", "机电学院", "机电研会"),
    ("宇航学院学生会", "student_org", "宇航学院", "宇航学生会"),
    ("校学生会", "student_org", "校团委", "学生会"),
    ("机器人协会", "student_club", "校团委", "机器人协会"),
    ("摄影协会", "student_club", "校团委", "摄影协会"),
    ("青年志愿者协会", "student_club", "校团委", "青协"),
    ("无人机创新团队", "academic_org", "宇航学院", "无人机团队"),
]

PKU_UNITS: list[tuple[str, str, str | None, str]] = [
    ("北京大学工学院", "school", None, "工学院"),
    ("院长办公室", "admin_dept", "北京大学工学院", "院办"),
    ("党委办公室", "party_office", "北京大学工学院", "党办"),
    ("科研办公室", "admin_dept", "北京大学工学院", "科研办"),
    ("教务办公室", "admin_dept", "北京大学工学院", "教务办"),
    ("学生工作办公室", "admin_dept", "北京大学工学院", "学工办"),
    ("力学与工程科学系", "department", "北京大学工学院", "力学系"),
    ("能源与资源工程系", "department", "北京大学工学院", "能源系"),
    ("生物医学工程系", "department", "北京大学工学院", "生医系"),
    ("先进制造与机器人系", "department", "北京大学工学院", "机器人系"),
    ("材料科学与工程系", "department", "北京大学工学院", "材料系"),
    ("航空航天工程系", "department", "北京大学工学院", "航空系"),
    ("工程管理系", "department", "北京大学工学院", "工管系"),
    ("湍流与复杂系统国家重点实验室", "research_base", "北京大学工学院", "湍流实验室"),
    ("工程科学与新兴技术高精尖创新中心", "research_base", "北京大学工学院", "高精尖中心"),
    ("北大工学院校友会", "mass_org", "北京大学工学院", "校友会"),
    ("工学院团委", "mass_org", "北京大学工学院", "团委"),
    ("工学院工会", "mass_org", "北京大学工学院", "工会"),
    ("工学院学生会", "student_org", "工学院团委", "学生会"),
    ("工学院研究生会", "student_org", "工学院团委", "研会"),
    ("力学系学生会", "student_org", "力学与工程科学系", "力学学生会"),
    ("能源系研究生会", "student_org", "能源与资源工程系", "能源研会"),
    ("智能机器人课题组", "research_group", "先进制造与机器人系", "机器人课题组"),
    ("国际流体力学会议", "conference", "力学与工程科学系", "流体会议"),
    ("工程教育研究中心", "virtual_institute", "北京大学工学院", "工程教育中心"),
    ("工学院实验中心", "affiliated_unit", "北京大学工学院", "实验中心"),
    ("生医系学生会", "student_org", "生物医学工程系", "生医学生会"),
    ("材料系团支部", "student_org", "材料科学与工程系", "材料团支部"),
    ("航空系研究生会", "student_org", "航空航天工程系", "航空研会"),
    ("创新创业中心", "affiliated_unit", "北京大学工学院", "创新中心"),
    ("工学院新闻中心", "affiliated_unit", "院长办公室", "新闻中心"),
    ("工学院就业指导中心", "affiliated_unit", "学生工作办公室", "就业中心"),
    ("工学院国际合作办公室", "admin_dept", "北京大学工学院", "国际办"),
    ("工学院财务办公室", "admin_dept", "北京大学工学院", "财务办"),
    ("工学院人事办公室", "admin_dept", "北京大学工学院", "人事办"),
    ("工学院研究生教务", "admin_dept", "教务办公室", "研究生教务"),
    ("工程训练中心", "affiliated_unit", "北京大学工学院", "工训中心"),
    ("工学院博士后联谊会", "student_org", "北京大学工学院", "博后联谊会"),
    ("工学院青年教师联谊会", "mass_org", "工学院工会", "青联会"),
    ("工学院科协", "student_org", "工学院团委", "科协"),
]

SUFFIXES = [
    "",
    "学生会",
    "团委",
    "研究生",
    "就业",
    "招生",
    "校友",
    "科研",
    "资讯",
    "青年",
    "之声",
    "视界",
]
PLATFORM_WEIGHTS = {
    "微信": 45,
    "微博": 15,
    "抖音": 10,
    "B站": 8,
    "QQ": 5,
    "今日头条": 3,
    "小红书": 5,
    "快手": 3,
    "知乎": 3,
    "APP": 2,
    "其他": 1,
}

# A demo account's status by a roll in [0, 1): the first bound above the roll wins.
STATUS_BY_ROLL = (
    (0.72, AccountStatus.RUNNING),
    (0.77, AccountStatus.APPLYING),
    (0.82, AccountStatus.APPROVED),
    (0.87, AccountStatus.RECTIFYING),
    (0.90, AccountStatus.SUSPENDED),
    (0.94, AccountStatus.CLOSING),
)


def _status_of_roll(roll: float) -> AccountStatus:
    """The status a roll gives (``STATUS_BY_ROLL``); closed above the last bound."""
    return next((status for bound, status in STATUS_BY_ROLL if roll < bound), AccountStatus.CLOSED)


class DemoBuilder:
    """Writes the demo register's units, people, accounts and their history
    (``nmdesk.demo_large`` reuses it for the 100k register)."""

    def __init__(self, register: Register, seed: int) -> None:
        self.r = register
        self.rng = random.Random(seed)
        self.today = dt.date.today()
        self.people_by_unit: dict[int, list[int]] = {}
        self.person_kind: dict[int, PersonKind] = {}
        self.phone_serial = 0

    def days_ago(self, low: int, high: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(low, high))

    def person(self, unit_id: int, kind: PersonKind) -> int:
        self.phone_serial += 1
        name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)
        title = self.rng.choice(TITLES_STAFF) if kind is PersonKind.STAFF else "学生干部"
        domain = "bit.edu.cn" if self.r.profile.id == "bit" else "pku.edu.cn"
        person_id = self.r.people.add(
            Person(
                None,
                name,
                kind,
                unit_id,
                title=title,
                office_phone=f"010-689{self.rng.randint(10000, 99999)}"
                if kind is PersonKind.STAFF
                else "",
                mobile=f"1{self.rng.choice('3578')}{self.rng.randint(0, 9)}{self.phone_serial:08d}",
                email=f"u{self.phone_serial:05d}@{domain}",
                staff_or_student_no=f"{'1' if kind is PersonKind.STAFF else '3'}{self.phone_serial:07d}",
            )
        )
        self.people_by_unit.setdefault(unit_id, []).append(person_id)
        self.person_kind[person_id] = kind
        return person_id

    def units(self) -> list[tuple[int, str, str]]:
        table = BIT_UNITS if self.r.profile.id == "bit" else PKU_UNITS
        ids: dict[str, int] = {}
        result = []
        for name, kind, parent, short in table:
            if kind not in self.r.profile.unit_kinds:
                kind = "admin_dept" if "admin_dept" in self.r.profile.unit_kinds else kind
            unit_id = self.r.units.add(
                Unit(None, name, kind, ids.get(parent) if parent else None, short_name=short)
            )
            ids[name] = unit_id
            head = self.person(unit_id, PersonKind.STAFF)
            self.r.units.update(unit_id, head_person_id=head)
            for _ in range(2):
                self.person(unit_id, PersonKind.STAFF)
            for _ in range(2):
                self.person(unit_id, PersonKind.STUDENT)
            result.append((unit_id, kind, short))
        return result

    def pick_person(self, unit_id: int, kinds: tuple[str, ...]) -> int:
        candidates = [p for p in self.people_by_unit[unit_id] if self.person_kind[p].value in kinds]
        return self.rng.choice(candidates) if candidates else self.person(unit_id, PersonKind.STAFF)

    def account(self, index: int, unit: tuple[int, str, str], parent_level: int) -> None:
        """One account of ``unit`` through the domain flow: its application (refused where
        the unit may not hold accounts), role holders, and for an approved account the
        approval, the filed opening filing and its later history."""
        unit_id, kind, short = unit
        profile = self.r.profile
        platform, types = self._platform()
        name = self._account_name(index, short)
        level = 1 if kind == "school" else parent_level
        status = _status_of_roll(self.rng.random())
        if status is AccountStatus.APPLYING and kind not in profile.eligible_unit_kinds:
            status = AccountStatus.REFUSED
        opened = self.days_ago(60, 3650)
        opened_on = self._opened_on(opened)
        eligible = kind in profile.eligible_unit_kinds
        applying = status in (AccountStatus.APPLYING, AccountStatus.APPROVED) and eligible
        if not eligible:
            status = AccountStatus.REFUSED
        account = Account(
            None,
            platform,
            self.rng.choice(types),
            name,
            unit_id,
            level,
            platform_id=f"{'bit' if profile.id == 'bit' else 'pkucoe'}_{index:05d}",
            purpose=self.rng.choice(PURPOSES),
            opened_on=opened_on,
            status=(
                AccountStatus.APPLYING
                if applying
                else AccountStatus.REFUSED
                if not eligible
                else AccountStatus.RUNNING
            ),
            verified_subject=self.r.units.get(unit_id).name if self.rng.random() < 0.7 else "",
            password_rotated_on=None if applying or not eligible else self.days_ago(5, 220),
            last_post_on=None if applying or not eligible else self.days_ago(0, 300),
        )
        application = self._application(opened, level, eligible)
        account_id = create_account(self.r, account, application=application)
        self._assign_roles(account_id, unit_id, opened)
        if not eligible or status is AccountStatus.APPLYING:
            return
        ref = f"会议纪要〔{opened.year}〕{self.rng.randint(1, 40)}号"
        if applying:  # approved recently, the opening filing still waits for its paper
            approve(self.r, account_id, self.days_ago(1, 12), application.approving_body, ref)
            return
        self._approved_and_filed(account_id, opened, ref)
        self.extras(account_id, status, unit_id)

    def _platform(self) -> tuple[str, list[str]]:
        """A platform drawn by its weight, with the account types it offers."""
        platforms = [p for p in PLATFORM_WEIGHTS if p in self.r.accounts.platforms()]
        platform = self.rng.choices(platforms, [PLATFORM_WEIGHTS[p] for p in platforms])[0]
        return platform, self.r.accounts.account_types(platform) or ["普通账号"]

    def _account_name(self, index: int, short: str) -> str:
        """The school's prefix (unless the unit's short name has it), the unit's short
        name and a suffix; every seventh account numbered so that names repeat less."""
        prefix = "北理工" if self.r.profile.id == "bit" else "北大工学院"
        name = f"{'' if short.startswith(prefix[:3]) else prefix}{short}{self.rng.choice(SUFFIXES)}"
        if index % 7 == 0:
            name += str(index)
        return name

    def _opened_on(self, opened: dt.date) -> PartialDate:
        """The opening day as the ledger knows it: a tenth by year only, a fifth by month."""
        precision = self.rng.random()
        if precision < 0.1:
            return PartialDate(opened.year)
        if precision < 0.3:
            return PartialDate(opened.year, opened.month)
        return PartialDate(opened.year, opened.month, opened.day)

    def _application(self, opened: dt.date, level: int, eligible: bool) -> Application:
        """The account's application, refused with the profile's reason when the unit
        may not hold accounts."""
        profile = self.r.profile
        application = Application(
            None,
            0,
            opened,
            approving_body=profile.level(level).approving_body,
            justification="本单位现有账号定位不同，新增账号专门服务学生事务"
            if self.rng.random() < 0.4
            else "",
            operation_plan="每周推送不少于两次，专人审核后发布" if self.rng.random() < 0.6 else "",
            # the rank the applicant wrote; where the unit has filed its 账号优先顺序表
            # (``priority_tables``), the sheet prints the table's rank instead
            priority_rank=self.rng.randint(1, 4),
            pledge_signed=True,
            pledge_signed_on=opened,
        )
        if profile.requires_justification_when_existing and not application.justification:
            application.justification = "现有账号定位不同，新增账号专门服务学生事务"
        if not eligible:
            application.decision = ApplicationDecision.REFUSED
            application.decided_on = opened
            application.refusal_reason = profile.ineligible_reason
        return application

    def _assign_roles(self, account_id: int, unit_id: int, opened: dt.date) -> None:
        """The account's role holders: every required role (a few missed, for the
        deadlines board) and half of the optional ones, content reviewers aside."""
        for role in self.r.profile.roles:
            if role.id == "content_reviewer" or (not role.required and self.rng.random() < 0.5):
                continue
            if self.rng.random() < 0.03:
                continue  # some accounts miss a required role, for the deadlines board
            assign_role(
                self.r,
                account_id,
                role.id,
                self.pick_person(unit_id, role.person_kinds),
                opened,
                file_change=False,
            )

    def _approved_and_filed(self, account_id: int, opened: dt.date, ref: str) -> None:
        """An account approved on the day it opened, its opening filing filed four days
        later."""
        app = self.r.accounts.application(account_id)
        assert app is not None and app.id is not None
        self.r.accounts.update_application(
            app.id, decision=ApplicationDecision.APPROVED, decided_on=opened, approval_ref=ref
        )
        filing_id = self.r.filings.create(account_id, FilingKind.OPENING, opened, [])
        mark_filed(self.r, filing_id, opened + dt.timedelta(days=4))

    def extras(self, account_id: int, status: AccountStatus, unit_id: int) -> None:
        if status is AccountStatus.RUNNING and self.rng.random() < 0.25:
            event = self.days_ago(1, 40)
            filing_id = self.r.filings.create(
                account_id,
                FilingKind.CHANGE,
                event,
                [FieldChange("账号名称", "旧名称", self.r.accounts.get(account_id).name)],
            )
            if self.rng.random() < 0.4:
                mark_filed(self.r, filing_id, event + dt.timedelta(days=2))
        if status is AccountStatus.RUNNING and self.rng.random() < 0.1:
            successor = self.pick_person(unit_id, ("staff", "student"))
            holder = self.r.accounts.holder(account_id, "operator")
            if holder is not None and holder != successor:
                assign_role(self.r, account_id, "operator", successor, self.days_ago(1, 20))
        if status is AccountStatus.RECTIFYING:
            issue(
                self.r,
                Sanction(
                    None,
                    unit_id,
                    SanctionKind.RECTIFY,
                    self.days_ago(10, 60),
                    "年审发现长期未更新、内容审核记录缺失",
                    account_id=account_id,
                    deadline_on=self.days_ago(-30, 15),
                ),
            )
        if status is AccountStatus.SUSPENDED:
            self.r.accounts.transition(account_id, AccountStatus.SUSPENDED)
        if status in (AccountStatus.CLOSING, AccountStatus.CLOSED):
            filing_id = start_closure(self.r, account_id, self.days_ago(3, 30), "停止运营")
            if status is AccountStatus.CLOSED:
                confirm_closure(self.r, filing_id, self.days_ago(0, 2))
                mark_filed(self.r, filing_id, self.today)
        if self.rng.random() < 0.05:
            self.r.watchlist.add_incident(
                Incident(
                    None,
                    account_id,
                    self.days_ago(5, 200),
                    "转发未经核实的校园传闻",
                    "已删除并向主管部门报告",
                    self.days_ago(0, 4),
                )
            )

    def priority_tables(self) -> None:
        """Most units have filed their 账号优先顺序表 (PKU-CoE clause 7); a few have not,
        so the approval sheet's attachment shows both cases."""
        for unit_id in sorted(unit.id for unit in self.r.units.all() if unit.id is not None):
            account_ids = self.r.units.priorities(unit_id)  # none ranked yet: oldest first
            if len(account_ids) < 2 or self.rng.random() < 0.2:
                continue
            self.rng.shuffle(account_ids)
            self.r.units.set_priorities(unit_id, account_ids)

    def watch_entries(self) -> None:
        names = (
            ["北理工二手交易群", "BIT 表白墙", "北理工考研资料分享", "京工吃喝玩乐"]
            if self.r.profile.id == "bit"
            else ["北大燕园二手", "PKU 工学院树洞", "未名考研资料", "北大工学生活圈"]
        )
        for name in names:
            self.r.watchlist.add(
                WatchEntry(
                    None,
                    self.rng.choice(["微信", "微博", "抖音"]),
                    name,
                    self.days_ago(5, 120),
                    holder="个人",
                    action_taken="已联系平台要求更名",
                    follow_up_on=self.days_ago(-20, 10),
                )
            )


def build_demo_register(
    path: str | Path, profile_id: str = "bit", *, accounts: int = 300, seed: int = 2026
) -> str:
    """Create a demo register at ``path``; returns a one-line summary in Chinese."""
    register = create_register(path, profile_id, actor="demo")
    ok = False
    try:
        builder = DemoBuilder(register, seed)
        with register.transaction():
            units = builder.units()
            parent_levels = {
                u[0]: (
                    1
                    if u[1] == "school"
                    else 3
                    if register.units.get(u[0]).parent_id not in (None, units[0][0])
                    else 2
                )
                for u in units
            }
            for index in range(accounts):
                unit = builder.rng.choice(units[1:]) if index else units[0]
                builder.account(index, unit, parent_levels[unit[0]])
            builder.watch_entries()
            if register.profile.uses_form("approval"):
                builder.priority_tables()
            register.mark_demo()
        counts = register.accounts.count_by_status()
        from nmdesk.models import AccountStatus as S

        overdue = sum(
            1
            for f in register.filings.open_filings()
            if f.due_on is not None and f.due_on < builder.today
        )
        ok = True
        return (
            f"{len(units)} 个单位，{register.accounts.count()} 个账号（运行中 "
            f"{counts.get(S.RUNNING.value, 0)}），逾期备案 {overdue} 件"
        )
    finally:
        register.close()
        if not ok:
            for leftover in (Path(path), Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)

"""The annual review wizard (年审): Open → Collect → Assess → Publish.

A campaign takes weeks, so the wizard is a view over what the register holds:
every answer is saved as it is entered, and reopening the wizard (or the app)
continues at the campaign's stored step. Logic lives in ``nmdesk.review``;
publishing runs on the task runner's register worker (``ui.common.tasks``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from nmdesk.dates import parse_day
from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.models import Verdict
from nmdesk.review import campaign as campaigns
from nmdesk.review.packets import write_all_packets
from nmdesk.review.publish import (
    PublishResult,
    export_outputs,
    output_names,
    publish,
    publish_outstanding,
)
from nmdesk.review.records import Campaign, Step
from nmdesk.store.interfaces import Register
from nmdesk.store.reviews import OUT_OF_SCOPE_STATUSES
from ui.common import file_dialogs
from ui.common.guide import attach_guide
from ui.common.modal_host import ModalHost
from ui.common.register_location import folder, location
from ui.common.tasks import Job, clerk_job, runner
from ui.common.window_fit import fit_to_screen
from ui.desk.desk_common import INFO_STYLE, WARNING_STYLE, DateEdit

PAGE_OPEN, PAGE_COLLECT, PAGE_ASSESS, PAGE_PUBLISH = range(4)
STEP_PAGES = {
    "open": PAGE_OPEN,
    "collect": PAGE_COLLECT,
    "assess": PAGE_ASSESS,
    "published": PAGE_PUBLISH,
}


class ReviewWizard(ModalHost, QWizard):
    """The campaign wizard. ``today`` is injectable so tests and demos control dates."""

    def __init__(
        self,
        register: Register,
        parent: QWidget | None = None,
        *,
        year: int | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        attach_guide(self, "review")
        from ui.review.review_assess import AssessPage
        from ui.review.review_collect import CollectPage

        self.register = register
        self.today = today or dt.date.today()
        self.year = year if year is not None else self._default_year()
        self.setWindowTitle(self.tr("年度审核（年审）"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.HaveHelpButton, False)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("下一步 >"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< 上一步"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("完成"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("关闭"))
        fit_to_screen(self, QSize(1100, 720), "review_wizard")
        self.open_page = OpenPage(self)
        self.collect_page = CollectPage(self)
        self.assess_page = AssessPage(self)
        self.publish_page = PublishPage(self)
        self.setPage(PAGE_OPEN, self.open_page)
        self.setPage(PAGE_COLLECT, self.collect_page)
        self.setPage(PAGE_ASSESS, self.assess_page)
        self.setPage(PAGE_PUBLISH, self.publish_page)
        self.setStartId(PAGE_OPEN)
        self._last_page = -1
        self.restart()
        self.resume()
        self._last_page = self.currentId()
        self.currentIdChanged.connect(self._page_changed)

    def _page_changed(self, page_id: int) -> None:
        """Going back from assessing to collecting moves the stored step back too."""
        campaign = self.campaign
        if (
            page_id == PAGE_COLLECT
            and self._last_page == PAGE_ASSESS
            and campaign is not None
            and not self.read_only
        ):
            campaigns.set_step(self.register, campaign, Step.COLLECT)
        self._last_page = page_id

    def _default_year(self) -> int:
        """The newest unpublished campaign's year, else this year."""
        open_years = [c.year for c in self.register.reviews.campaigns() if not c.is_published]
        return max(open_years) if open_years else self.today.year

    @property
    def campaign(self) -> Campaign | None:
        return self.register.reviews.campaign(self.year)

    def require_campaign(self) -> Campaign:
        return campaigns.get_campaign(self.register, self.year)

    @property
    def register_read_only(self) -> bool:
        """Another nmdesk holds the register: everything can be seen, nothing changed."""
        return bool(getattr(self.register, "read_only", False))

    @property
    def read_only(self) -> bool:
        campaign = self.campaign
        return self.register_read_only or (campaign is not None and campaign.is_published)

    def resume(self) -> None:
        """Walk forward to the page of the stored step, so that Back still works."""
        target = STEP_PAGES[campaigns.resume_step(self.register, self.year)]
        while self.currentId() < target:
            before = self.currentId()
            self.next()
            if self.currentId() == before:
                break

    def stored_page(self) -> int:
        return STEP_PAGES[campaigns.resume_step(self.register, self.year)]

    # -- files and folders (messages and questions: ModalHost); tests replace these ---

    def choose_open_file(self, title: str, pattern: str) -> str:
        return file_dialogs.open_file_name(self, title, str(folder(self.register)), pattern)

    def choose_save_file(self, title: str, name: str, pattern: str) -> str:
        start = str(folder(self.register) / name)
        return file_dialogs.save_file_name(self, title, start, pattern)

    def choose_folder(self, title: str, start: str) -> str:
        return file_dialogs.existing_directory(self, title, start)

    def open_folder(self, path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _info(text: str = "", style: str = INFO_STYLE) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class OpenPage(QWizardPage):
    """Choose the year and the deadline; opening freezes the scope."""

    def __init__(self, wizard: ReviewWizard) -> None:
        super().__init__()
        self.w = wizard
        self._packets_written = False  # the packets just came back: the wizard goes on
        self.job: Job[list[Path]] | None = None
        self.setTitle(self.tr("第一步：开启年审"))
        self.setSubTitle(
            self.tr(
                "选择年度和提交截止日期。开启时冻结年审范围：全部单位，以及除已注销、"
                "未获批准以外的全部账号；此后新增的账号标为“开启后新增”。"
            )
        )
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.deadline = DateEdit()
        self.packets = QCheckBox(self.tr("开启后为每个单位生成通知与自查表（零报告）到文件夹："))
        self.packet_dir = QLineEdit()
        browse = QPushButton(self.tr("选择…"))
        browse.clicked.connect(self._browse)
        folder = QHBoxLayout()
        folder.addWidget(self.packet_dir, 1)
        folder.addWidget(browse)
        self.scope = _info()
        self.state = _info(style=WARNING_STYLE)
        form = QFormLayout()
        form.addRow(self.tr("年审年度"), self.year)
        form.addRow(self.tr("提交截止日期"), self.deadline)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.packets)
        layout.addLayout(folder)
        layout.addSpacing(8)
        layout.addWidget(self.scope)
        layout.addWidget(self.state)
        layout.addStretch(1)
        self.year.valueChanged.connect(self._year_changed)

    def initializePage(self) -> None:
        if self.w.register_read_only:
            self.setSubTitle(self.w.register.read_only_message)
        self.year.blockSignals(True)
        self.year.setValue(self.w.year)
        self.year.blockSignals(False)
        self.packet_dir.setText(str(folder(self.w.register) / f"{self.w.year}年审自查表"))
        self._year_changed(self.w.year)

    def _browse(self) -> None:
        folder = self.w.choose_folder(self.tr("通知与自查表保存到"), self.packet_dir.text())
        if folder:
            self.packet_dir.setText(folder)
            self.packets.setChecked(True)

    def _year_changed(self, year: int) -> None:
        self.w.year = year
        register = self.w.register
        campaign = self.w.campaign
        if campaign is None:
            self.deadline.setEnabled(True)
            self.deadline.set_date(campaigns.default_deadline(register.profile, year))
            units = len(register.reviews.scope_unit_ids())
            accounts = register.reviews.scope_account_count()
            self.scope.setText(
                self.tr("将纳入年审：{0} 个单位，{1} 个账号。").format(units, accounts)
            )
            self.state.hide()
            self.packets.setEnabled(True)
        else:
            self.deadline.set_date(campaign.deadline_on)
            self.deadline.setEnabled(not campaign.is_published)
            progress = campaigns.progress(register, campaign, self.w.today)
            self.scope.setText(
                self.tr("{0} 年度年审已于 {1} 开启：{2} 个单位，{3} 个账号。").format(
                    year, campaign.opened_on, progress.units_total, progress.accounts_total
                )
            )
            state = (
                self.tr("已于 {0} 发布，结果只读。").format(campaign.published_on)
                if campaign.is_published
                else self.tr("进行中，点“下一步”继续。")
            )
            self.state.setText(state)
            self.state.show()
            self.packets.setEnabled(not campaign.is_published)

    def validatePage(self) -> bool:
        """Open the campaign (or save its deadline); the packets, when asked for, are
        written on the register worker and the wizard goes on once they are."""
        if self._packets_written:
            self._packets_written = False
            return True
        register = self.w.register
        try:
            deadline = parse_day(self.deadline.text(), self.tr("提交截止日期"))
            campaign = self.w.campaign
            if campaign is None:
                campaign = campaigns.open_campaign(
                    register, self.year.value(), today=self.w.today, deadline=deadline
                )
            elif not campaign.is_published and deadline != campaign.deadline_on:
                register.reviews.set_deadline(campaign.id, deadline)
            if self.packets.isChecked() and not campaign.is_published:
                folder = Path(self.packet_dir.text().strip())
                if not self.packet_dir.text().strip():
                    raise ValidationError(self.tr("自查表文件夹"), self.tr("请选择保存位置"))
                self.write_packets(campaign, folder)
                return False
        except (NmdeskError, OSError) as exc:
            self.w.show_error(exc)
            return False
        return True

    def write_packets(self, campaign: Campaign, folder: Path) -> Job[list[Path]]:
        """Every unit's notice and self-check sheet, on the register worker (read-only)."""

        def written(paths: list[Path]) -> None:
            self.w.show_message(
                self.tr("已生成"),
                self.tr("已生成 {0} 份通知与自查表：{1}").format(len(paths), folder),
            )
            self._packets_written = True
            self.w.next()

        self.job = runner().with_progress(
            lambda job: write_all_packets(job.register, campaign, folder, progress=job.proceed),
            self.tr("正在生成通知与自查表…"),
            self.w,
            register_path=location(self.w.register),
            read_only=True,
            on_done=written,
            on_failed=self.w.show_error,
            on_cancelled=self.w.show_error,
        )
        return self.job


class PublishPage(QWizardPage):
    """Confirm and publish: statuses, sanctions, listing, notices and summary in one step."""

    published = Signal(object)

    def __init__(self, wizard: ReviewWizard) -> None:
        super().__init__()
        self.w = wizard
        self.result: PublishResult | None = None
        self.job: Job[PublishResult] | None = None  # the publishing under way
        self.setTitle(self.tr("第四步：发布公示"))
        self.setSubTitle(
            self.tr(
                "发布在一个事务中完成：更新账号状态、登记整改和注销处理，生成公示"
                "（Excel、PDF、网页）、各单位整改通知和汇总报告。发布后本年度年审只读。"
            )
        )
        self.counts = _info()
        self.out_dir = QLineEdit()
        browse = QPushButton(self.tr("选择…"))
        browse.clicked.connect(self._browse)
        self.publish_button = QPushButton(self.tr("发布公示"))
        self.publish_button.setStyleSheet("font-weight: bold; padding: 6px 18px;")
        self.publish_button.clicked.connect(self.start_publish)
        self.export_button = QPushButton(self.tr("重新导出到文件夹"))
        self.export_button.clicked.connect(self.export_again)
        self.done_label = _info()
        self.done_label.hide()
        folder = QHBoxLayout()
        folder.addWidget(QLabel(self.tr("输出文件夹")))
        folder.addWidget(self.out_dir, 1)
        folder.addWidget(browse)
        buttons = QHBoxLayout()
        buttons.addWidget(self.publish_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addLayout(folder)
        layout.addLayout(buttons)
        layout.addWidget(self.done_label)
        layout.addStretch(1)

    def initializePage(self) -> None:
        campaign = self.w.require_campaign()
        if not self.out_dir.text():
            self.out_dir.setText(str(folder(self.w.register) / f"{campaign.year}年审公示"))
        self._refresh()

    def _refresh(self) -> None:
        campaign = self.w.require_campaign()
        rows = self.w.register.reviews.facts(campaign.id)
        tally: dict[str, int] = {}
        undecided = 0
        for row in rows:
            if not row["self_checked"]:
                label = (
                    Verdict.NOT_SUBMITTED.label
                    if row["in_opening_scope"] and row["status"] not in OUT_OF_SCOPE_STATUSES
                    else self.tr("不列入公示（开启后新增或已注销）")
                )
            elif row["verdict"]:
                label = Verdict(row["verdict"]).label
            else:
                label, undecided = "尚未作出结论", undecided + 1
            tally[label] = tally.get(label, 0) + 1
        parts = "；".join(f"{k} {v}" for k, v in sorted(tally.items(), key=lambda kv: -kv[1]))
        if campaign.is_published:
            self.counts.setText(
                self.tr("{0} 年度年审已于 {1} 发布。{2}").format(
                    campaign.year, campaign.published_on, parts
                )
            )
        else:
            warning = (
                self.tr("（还有 {0} 个账号没有结论，请回到上一步）").format(undecided)
                if undecided
                else ""
            )
            self.counts.setText(
                self.tr("将发布 {0} 年度年审：{1}。没有自查记录的账号按“未提交”公示。{2}").format(
                    campaign.year, parts, warning
                )
            )
        self.publish_button.setVisible(not campaign.is_published)
        self.publish_button.setEnabled(not undecided and not self.w.register_read_only)
        self.export_button.setVisible(campaign.is_published)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        campaign = self.w.campaign
        return campaign is not None and campaign.is_published

    def _browse(self) -> None:
        folder = self.w.choose_folder(self.tr("公示文件保存到"), self.out_dir.text())
        if folder:
            self.out_dir.setText(folder)

    def _folder(self) -> Path | None:
        text = self.out_dir.text().strip()
        if not text:
            self.w.show_error(ValidationError(self.tr("输出文件夹"), self.tr("请选择保存位置")))
            return None
        return Path(text)

    def start_publish(self) -> None:
        campaign = self.w.require_campaign()
        out = self._folder()
        if out is None:
            return
        try:
            missing = publish_outstanding(self.w.register, campaign.year, self.w.today)
        except NmdeskError as exc:
            self.w.show_error(exc)
            return
        question = self.tr(
            "确定发布 {0} 年度年审吗？账号状态和处理将立即生效，发布后不能再修改结论。"
        ).format(campaign.year)
        if missing.any:
            question = (
                self.tr("尚未满足发布条件：{0}\n\n").format(missing.sentence())
                + question
                + self.tr("\n\n未交齐的单位将在公示中标注。")
            )
        if not self.w.confirm(self.tr("发布公示"), question):
            return
        self.publish_button.setEnabled(False)
        year, today = campaign.year, self.w.today

        def work(job: Job[PublishResult]) -> PublishResult:
            return publish(
                job.register,
                year,
                out,
                today=today,
                progress=job.proceed,
                force=True,  # the clerk confirmed what is outstanding
            )

        self.job = clerk_job(
            self.w.register,
            work,
            self.tr("正在发布…"),
            self,
            title=self.tr("发布公示"),
            on_done=self._on_finished,
            refused=self._on_failed,
        )

    def _on_finished(self, result: PublishResult) -> None:
        self.result = result
        names = output_names(result.campaign.year)
        self.done_label.setText(
            self.tr("已发布。文件已写入 {0}：{1}、{2}、{3}，{4} 份整改通知，汇总报告 {5}。").format(
                result.out_dir,
                names["listing_xlsx"],
                names["listing_pdf"],
                names["listing_html"],
                len(result.notices),
                names["summary_pdf"],
            )
        )
        self.done_label.show()
        self._refresh()
        self.w.collect_page.set_read_only(True)
        self.w.assess_page.set_read_only(True)
        self.published.emit(result)
        self.w.open_folder(result.out_dir)

    def _on_failed(self, message: str) -> None:
        self._refresh()
        self.w.show_message(self.tr("未发布"), message, error=True)

    def export_again(self) -> Job[PublishResult] | None:
        """Write the published files again, on the register worker (nothing is changed)."""
        out = self._folder()
        if out is None:
            return None
        year = self.w.year

        def exported(result: PublishResult) -> None:
            self.result = result
            self.w.open_folder(result.out_dir)

        self.job = runner().with_progress(
            lambda job: export_outputs(job.register, year, out),
            self.tr("正在导出公示文件…"),
            self,
            title=self.tr("重新导出"),
            register_path=location(self.w.register),
            read_only=True,
            on_done=exported,
            on_failed=self.w.show_error,
        )
        return self.job


def step_of(page_id: int) -> Step | None:
    return {PAGE_COLLECT: Step.COLLECT, PAGE_ASSESS: Step.ASSESS}.get(page_id)

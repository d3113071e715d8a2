"""The watch list (巡查登记): unregistered accounts found misusing protected names.

BIT clause 7 forbids personal accounts named with the school's names; the
clerk records what was found, the action taken and the follow-up. The
protected keywords in the name are detected as the clerk types.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from nmdesk.changes import Changes
from nmdesk.dates import today
from nmdesk.entry import name_warning
from nmdesk.errors import NmdeskError, ValidationError
from nmdesk.models import WatchEntry
from nmdesk.names import matched_keywords
from nmdesk.store.interfaces import Register
from ui.desk.desk_common import (
    WARNING_STYLE,
    DateEdit,
    FieldBox,
    RecordsDialog,
    add_action_row,
    clear_errors,
    day_or_error,
    field_group,
    fill_table,
    selected_id,
    tr,
)


class WatchListDialog(RecordsDialog):
    """List, add and follow up watch-list entries."""

    def __init__(self, register: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.register = register
        self.set_up_window(
            tr("巡查登记"), guide="closure-sanctions", size=(1000, 660), key="watch_list"
        )
        layout = self.records_list(
            [
                tr("平台"),
                tr("账号名称"),
                tr("账号ID"),
                tr("开设人"),
                tr("发现日期"),
                tr("命中名称"),
                tr("处置"),
                tr("跟进日期"),
                tr("办结日期"),
            ]
        )
        self.table.currentCellChanged.connect(lambda *_: self._selected())
        self.platform = QComboBox()
        self.platform.setEditable(True)
        self.platform.addItems(register.accounts.platforms())
        self.name = QLineEdit()
        self.name.textChanged.connect(self._name_changed)
        self.keywords = QLabel()
        self.keywords.setStyleSheet(WARNING_STYLE)
        self.keywords.setWordWrap(True)
        self.keywords.hide()
        self.platform_id = QLineEdit()
        self.holder = QLineEdit()
        self.found_on = DateEdit()
        self.found_on.setText(today().isoformat())
        self.action = QLineEdit()
        self.follow_up_on = DateEdit()
        self.boxes = {
            "平台": FieldBox(self.platform),
            "账号名称": FieldBox(self.name),
            "账号ID": FieldBox(self.platform_id),
            "开设人": FieldBox(self.holder),
            "发现日期": FieldBox(self.found_on),
            "处置措施": FieldBox(self.action),
            "跟进日期": FieldBox(self.follow_up_on),
        }
        add_group, form = field_group(tr("登记新发现"), self.boxes)
        form.insertRow(list(self.boxes).index("账号名称") + 1, "", self.keywords)  # under it
        self.add_button = add_action_row(form, tr("登记"), self.on_add)
        self.update_action = QLineEdit()
        self.update_follow = DateEdit()
        self.resolved_on = DateEdit()
        self.follow_boxes = {
            "处置措施": FieldBox(self.update_action),
            "跟进日期": FieldBox(self.update_follow),
            "办结日期": FieldBox(self.resolved_on),
        }
        follow, follow_form = field_group(tr("跟进所选记录"), self.follow_boxes)
        self.update_button = add_action_row(follow_form, tr("保存跟进"), self.on_update)
        self.add_groups(layout, (add_group, 3), (follow, 2))
        self.add_close_button(layout)
        self.refresh()

    def _name_changed(self, text: str) -> None:
        found = matched_keywords(text, self.register.profile.protected_names)
        self.keywords.setText(name_warning(found) if found else "")
        self.keywords.setVisible(bool(found))

    def refresh(self) -> None:
        fill_table(
            self.table,
            [
                (
                    e.id or 0,
                    [
                        e.platform,
                        e.name,
                        e.platform_id,
                        e.holder,
                        str(e.found_on),
                        e.matched_keywords,
                        e.action_taken,
                        str(e.follow_up_on or ""),
                        str(e.resolved_on or ""),
                    ],
                )
                for e in self.register.watchlist.all()
            ],
        )

    def _selected(self) -> None:
        entry_id = selected_id(self.table)
        entry = next((e for e in self.register.watchlist.all() if e.id == entry_id), None)
        if entry is None:
            return
        self.update_action.setText(entry.action_taken)
        self.update_follow.setText(entry.follow_up_on.isoformat() if entry.follow_up_on else "")
        self.resolved_on.setText(entry.resolved_on.isoformat() if entry.resolved_on else "")

    # -- unsaved input: a found account typed and not yet registered --------------------

    def has_unsaved_changes(self) -> bool:
        return any(edit.text().strip() for edit in (self.name, self.platform_id, self.holder))

    def save_unsaved(self) -> bool:
        self.on_add()  # clears the fields when it is registered
        return not self.has_unsaved_changes()

    def on_add(self) -> None:
        clear_errors(self.boxes.values())
        try:
            found = day_or_error(self.boxes["发现日期"], "发现日期")
            follow = day_or_error(self.boxes["跟进日期"], "跟进日期", required=False)
            assert found is not None
            self.register.watchlist.add(
                WatchEntry(
                    None,
                    self.platform.currentText(),
                    self.name.text(),
                    found,
                    platform_id=self.platform_id.text(),
                    holder=self.holder.text(),
                    action_taken=self.action.text().strip(),
                    follow_up_on=follow,
                )
            )
        except ValidationError as error:
            box = self.boxes.get(error.field) or self.boxes["账号名称"]
            box.set_error(str(error))
            return
        except NmdeskError as error:
            self.show_message(tr("不能登记"), str(error), error=True)
            return
        self.changes |= Changes(records=True)
        for edit in (self.name, self.platform_id, self.holder, self.action, self.follow_up_on):
            edit.clear()
        self.refresh()

    def on_update(self) -> None:
        entry_id = self.selected_record(tr("跟进"), tr("请先在列表中选择一条记录"))
        if entry_id is None:
            return
        clear_errors(self.follow_boxes.values())
        try:
            follow = day_or_error(self.follow_boxes["跟进日期"], "跟进日期", required=False)
            resolved = day_or_error(self.follow_boxes["办结日期"], "办结日期", required=False)
        except ValidationError:
            return
        self.register.watchlist.update(
            entry_id,
            action_taken=self.update_action.text().strip(),
            follow_up_on=follow,
            resolved_on=resolved,
        )
        self.changes |= Changes(records=True)
        self.refresh()

"""The task runner (ui/common/tasks.py): one register worker, hand-back on the main thread,
a cancellable progress dialog that leaves the register as it was."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from desk_helpers import wait_for_job
from PySide6.QtWidgets import QPushButton, QWidget

from nmdesk.errors import ValidationError
from nmdesk.models import Unit
from ui.common.tasks import Job, TaskRunner, error_sentence, runner


@pytest.fixture
def tasks(qtbot: Any) -> TaskRunner:
    own = TaskRunner()
    yield own
    own.cancel_all()
    qtbot.waitUntil(lambda: not own.busy)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_result_is_handed_back_on_the_main_thread(qtbot, tasks, demo_path):
    seen: dict[str, object] = {}

    def work(job: Job[int]) -> int:
        seen["worker"] = threading.current_thread().name
        return job.register.accounts.count()

    def done(count: int) -> None:
        seen["count"] = count
        seen["on_main"] = threading.current_thread() is threading.main_thread()

    job = tasks.run(work, register_path=demo_path, on_done=done)
    with qtbot.waitSignal(job.ended, timeout=10_000):
        pass
    assert seen["on_main"] is True
    assert seen["count"] == 300
    assert str(seen["worker"]).startswith("nmdesk-register")
    assert job.result == 300 and job.error is None


def test_an_error_comes_back_as_one_chinese_sentence(qtbot, tasks):
    def broken(job: Job[None]) -> None:
        raise KeyError("column")

    def mistake(job: Job[None]) -> None:
        raise ValidationError("单位名称", "不能为空")

    errors: list[str] = []
    first = tasks.run(broken, uses_register=False, on_failed=errors.append)
    second = tasks.run(mistake, uses_register=False, on_failed=errors.append)
    qtbot.waitUntil(lambda: first.done and second.done, timeout=10_000)
    assert len(errors) == 2
    for sentence in errors:
        assert _has_chinese(sentence) and "\n" not in sentence
        assert "Traceback" not in sentence
    assert str(ValidationError("单位名称", "不能为空")) in errors
    assert error_sentence(KeyError("x")).startswith("出现了程序错误")


def test_cancel_stops_the_job_and_leaves_the_register_unchanged(qtbot, tasks, demo_register):
    before = [unit.name for unit in demo_register.units.all()]
    wrote = threading.Event()

    def work(job: Job[None]) -> None:
        register = job.register
        kind = next(iter(register.profile.unit_kinds))
        with register.transaction():
            for n in range(1_000_000):
                register.units.add(Unit(None, f"测试单位{n}", kind))
                if n == 5:
                    wrote.set()
                if not job.proceed(n, 1_000_000):
                    job.check_cancelled()

    outcome: list[str] = []
    job = tasks.with_progress(
        work,
        "正在写入…",
        None,
        register_path=demo_register.path,
        actor="tester",
        on_done=lambda _r: outcome.append("done"),
        on_failed=outcome.append,
        on_cancelled=lambda sentence: outcome.append(f"cancelled: {sentence}"),
    )
    qtbot.waitUntil(wrote.is_set, timeout=10_000)
    assert job.dialog is not None
    cancel = job.dialog.findChild(QPushButton)
    assert cancel.text() == "取消"
    cancel.click()
    with qtbot.waitSignal(job.ended, timeout=10_000):
        pass
    assert outcome == ["cancelled: 已取消，备案库未作改动"] and job.was_cancelled
    assert [unit.name for unit in demo_register.units.all()] == before


def test_register_jobs_run_one_at_a_time(qtbot, tasks, demo_path):
    gate = threading.Event()
    order: list[str] = []
    threads: list[int] = []

    def first(job: Job[None]) -> None:
        threads.append(threading.get_ident())
        order.append("first starts")
        job.register.accounts.count()
        gate.wait(30)
        order.append("first ends")

    def second(job: Job[None]) -> None:
        threads.append(threading.get_ident())
        order.append("second starts")

    one = tasks.run(first, register_path=demo_path)
    qtbot.waitUntil(lambda: order == ["first starts"], timeout=10_000)
    two = tasks.run(second, register_path=demo_path)
    assert two.future is not None
    assert not two.future.running() and not two.future.done()  # it waits for the first
    gate.set()
    qtbot.waitUntil(lambda: one.done and two.done, timeout=10_000)
    assert order == ["first starts", "first ends", "second starts"]
    assert threads[0] == threads[1]  # the one register worker


def test_progress_reaches_the_dialog(qtbot, tasks):
    gate = threading.Event()

    def work(job: Job[str]) -> str:
        job.progress(3, 10, "正在处理第 3 项")
        gate.wait(30)
        return "好"

    job = tasks.with_progress(work, "请稍候…", None, uses_register=False, title="测试")
    dialog = job.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.value() == 3, timeout=10_000)
    assert dialog.maximum() == 10
    assert dialog.labelText() == "正在处理第 3 项"
    assert dialog.windowTitle() == "测试"
    gate.set()
    with qtbot.waitSignal(job.ended, timeout=10_000):
        pass
    assert job.result == "好"


def test_a_job_whose_window_is_gone_calls_nobody_back(qtbot, tasks):
    gate = threading.Event()
    owner = QWidget()
    called: list[object] = []

    def work(job: Job[str]) -> str:
        gate.wait(30)
        return "late"

    job = tasks.run(work, uses_register=False, on_done=called.append, owner=owner)
    with qtbot.waitSignal(owner.destroyed):
        owner.deleteLater()
    gate.set()
    wait_for_job(qtbot, job)
    assert called == [] and job.orphaned and job.cancelled()


def test_a_second_click_while_a_window_runs_its_job_starts_nothing(qtbot, held_register_worker):
    window = QWidget()
    qtbot.addWidget(window)
    runs: list[int] = []

    def work(job: Job[None]) -> None:
        runs.append(1)

    with held_register_worker():  # the first job waits in line on the app's register worker
        first = runner().with_progress(work, "正在导入…", window, uses_register=True)
        second = runner().with_progress(work, "正在导入…", window, uses_register=True)
        assert second is first
    wait_for_job(qtbot, first)
    third = runner().with_progress(work, "正在导入…", window, uses_register=True)
    assert third is not first
    wait_for_job(qtbot, third)
    assert runs == [1, 1]


def test_a_callback_may_start_the_windows_next_job(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    jobs: list[Job[str]] = []

    def then_read(_result: str) -> None:
        jobs.append(runner().with_progress(lambda job: "read", "正在读取…", window))

    first = runner().with_progress(lambda job: "received", "正在登记…", window, on_done=then_read)
    wait_for_job(qtbot, first)
    assert len(jobs) == 1 and jobs[0] is not first
    wait_for_job(qtbot, jobs[0])
    assert jobs[0].result == "read"


def test_the_application_has_one_runner(qtbot):
    assert runner() is runner()


def test_the_warm_up_runs_beside_the_register_worker(qtbot, monkeypatch, held_register_worker):
    from ui.common import warm_up

    monkeypatch.setattr(warm_up, "_started", False)
    monkeypatch.setattr(warm_up, "finished", threading.Event())
    with held_register_worker():  # a long register job does not hold the warm-up back
        warm_up.start()
        qtbot.waitUntil(warm_up.finished.is_set, timeout=60_000)


def test_background_work_has_one_way_and_modals_one_host():
    """Only ui/common/tasks.py starts threads; no window runs a nested event loop or writes its
    own exec_dialog / show_error / confirm (``ui.app.exec_dialog`` runs the first-start
    dialog before any window exists; the screenshot scripts, which pump events while
    they wait for a picture, live in tools/)."""
    import re
    from pathlib import Path

    import ui

    forbidden = re.compile(
        r"QThread|QEventLoop|threading\.Thread|ThreadPoolExecutor|moveToThread"
        r"|^\s+def (exec_dialog|show_error|confirm)\("  # a window's own modal hooks
    )
    found = []
    modules = sorted(Path(ui.__file__).parent.rglob("*.py"))
    assert len(modules) > 40  # every package of ui/, not only its top level
    for path in modules:
        if path.name in ("tasks.py", "modal_host.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if forbidden.search(line):
                found.append(f"{path.name}:{number}: {line.strip()}")
    assert found == []

"""The State Council's notice parsed (nmdesk/holidays/notice.py), checked against the real ones."""

from __future__ import annotations

import datetime as dt

import pytest
from fixtures_notices import MADE_UP_2027, notice_text

from nmdesk.holidays.notice import NoticeError, parse_notice
from nmdesk.workdays import bundled_schedule

D = dt.date


def _marks(schedule) -> list[tuple[dt.date, bool]]:  # type: ignore[no-untyped-def]
    return [(item.day, item.is_workday) for item in schedule.days]


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_real_notice_reproduces_the_bundled_year_day_by_day(year: int) -> None:
    parsed = parse_notice(notice_text(str(year)))
    bundled = bundled_schedule(year)
    assert bundled is not None
    assert parsed.title_year == year
    assert _marks(parsed.schedule) == _marks(bundled)
    assert parsed.schedule.summary() == bundled.summary()


def test_2026_lines_and_summary() -> None:
    schedule = parse_notice(notice_text("2026")).schedule
    lines = schedule.day_lines()
    assert lines[:4] == ["2026-01-01\t休", "2026-01-02\t休", "2026-01-03\t休", "2026-01-04\t班"]
    assert "2026-02-28\t班" in lines and "2026-10-07\t休" in lines
    assert schedule.summary() == "2026年：休 19 天（工作日），调休上班 6 天"
    assert schedule.get(D(2026, 2, 15)).festival == "春节"  # type: ignore[union-attr]


def test_preamble_dates_and_signature_are_not_schedule_lines() -> None:
    """2025's preamble says 2024年11月修订 and 自10月1日起放假调休7天; the date signs it."""
    parsed = parse_notice(notice_text("2025"))
    assert D(2024, 11, 12) not in parsed.schedule.by_day
    assert parsed.schedule.get(D(2025, 10, 8)).festival == "国庆节、中秋节"  # type: ignore[union-attr]
    assert len(parsed.schedule.days) == 1 + 8 + 2 + 3 + 5 + 1 + 3 + 8 + 2


def test_half_width_punctuation_and_lines_broken_anywhere() -> None:
    text = notice_text("2026").translate(
        str.maketrans("：，（）", ":,()")
    )  # as news sites print it
    broken = text.replace("至23日", "至\n23日").replace("放假调休,共9天", "放假调休,\n共9天")
    one_line = notice_text("2024").replace("\n", "")
    assert _marks(parse_notice(broken).schedule) == _marks(bundled_schedule(2026))
    assert _marks(parse_notice(one_line).schedule) == _marks(bundled_schedule(2024))


def test_half_width_colon_and_brackets() -> None:
    text = "一、元旦:1月1日(周四)至3日(周六)放假调休,共3天。1月4日(周日)上班。"
    schedule = parse_notice(text, 2026).schedule
    assert schedule.day_lines() == [
        "2026-01-01\t休",
        "2026-01-02\t休",
        "2026-01-03\t休",
        "2026-01-04\t班",
    ]


def test_cross_year_range_and_single_day() -> None:
    text = (
        "一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。\n"
        "五、端午节：6月22日（星期四）至24日放假调休，共3天。6月25日（星期日）上班。\n"
        "二、劳动节：5月1日放假，与周末连休。"
    )
    schedule = parse_notice(text, 2023).schedule
    assert schedule.off_days[:3] == [D(2022, 12, 31), D(2023, 1, 1), D(2023, 1, 2)]
    assert D(2023, 5, 1) in schedule.off_days and D(2023, 6, 25) in schedule.work_days


def test_cross_month_range_without_a_second_month_is_read() -> None:
    schedule = parse_notice(notice_text("2025")).schedule
    assert {D(2025, 5, 31), D(2025, 6, 1), D(2025, 6, 2)} <= set(schedule.off_days)


def test_wrong_weekday_is_refused_with_the_line_quoted() -> None:
    text = notice_text("2026").replace("1月4日（周日）上班", "1月4日（周六）上班")
    with pytest.raises(NoticeError) as caught:
        parse_notice(text)
    assert "1月4日（周六）上班" in caught.value.line
    assert "周日" in str(caught.value) and "不是周六" in str(caught.value)


def test_wrong_day_count_is_refused_with_the_line_quoted() -> None:
    text = notice_text("2026").replace("放假调休，共9天", "放假调休，共8天")
    with pytest.raises(NoticeError) as caught:
        parse_notice(text)
    assert caught.value.line.startswith("2月15日（农历腊月二十八、周日）至23日")
    assert "是9天，不是共8天" in str(caught.value)


def test_unreadable_schedule_sentence_is_refused_not_guessed() -> None:
    text = notice_text("2026").replace("5月9日（周六）上班", "5月9日（周六）照常上班")
    with pytest.raises(NoticeError, match="无法识别") as caught:
        parse_notice(text)
    assert "照常上班" in caught.value.line


def test_year_comes_from_the_title_or_the_clerk() -> None:
    with pytest.raises(NoticeError, match="请指定年份"):
        parse_notice(notice_text(MADE_UP_2027))
    assert parse_notice(notice_text(MADE_UP_2027), 2027).schedule.year == 2027
    with pytest.raises(NoticeError, match="与所选的2027年不符"):
        parse_notice(notice_text("2026"), 2027)


def test_made_up_2027_is_the_real_2021_shifted() -> None:
    shifted = [
        (D(day.year + 6, day.month, day.day), workday)
        for day, workday in _marks(bundled_schedule(2021))
    ]
    assert _marks(parse_notice(notice_text(MADE_UP_2027), 2027).schedule) == shifted

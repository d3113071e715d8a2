"""Protected-name matching and policy profile loading."""

from __future__ import annotations

import json

import pytest

from nmdesk.errors import ProfileError
from nmdesk.names import matched_keywords
from nmdesk.profiles import builtin_profile_ids, load_profile, profile_from_json

BIT = load_profile("bit").protected_names
PKU = load_profile("pku-coe").protected_names


@pytest.mark.parametrize(
    "name",
    [
        "ＢＩＴ学生会",
        "b i t 摄影",
        "Bit Robotics",
        "BIT-CS",
        "北京理工大學",
        "北 理 工 表白墙",
        "京工二手",
        "beijing institute of technology alumni",
    ],
)
def test_bit_variants_match(name: str) -> None:
    assert matched_keywords(name, BIT)


@pytest.mark.parametrize("name", ["Rabbit 俱乐部", "bitcoin 交流", "清华大学", "北京理想汽车"])
def test_bit_lookalikes_do_not_match(name: str) -> None:
    assert matched_keywords(name, BIT) == []


@pytest.mark.parametrize(
    ("name", "keyword"),
    [
        ("北京大學工學院", "北京大学工学院"),
        ("ＰＫＵ 树洞", "PKU"),
        ("p k u", "PKU"),
        ("Peking  University 校友", "Peking University"),
        ("燕园二手", "燕园"),
        ("未名湖畔", "未名"),
    ],
)
def test_pku_variants_match(name: str, keyword: str) -> None:
    assert keyword in matched_keywords(name, PKU)


def test_builtin_profiles_carry_the_policy_numbers() -> None:
    assert builtin_profile_ids() == ["bit", "pku-coe"]
    bit, pku = load_profile("bit"), load_profile("pku-coe")
    assert bit.deadlines["change_filing_working_days"] == 3
    assert pku.deadlines["personnel_change_working_days"] == 5
    assert pku.deadlines["closure_working_days"] == 10
    assert bit.filing_office == "党委宣传部" and pku.filing_office == "院长办公室"
    assert pku.role("specific_responsible").person_kinds == ("staff",)
    assert set(pku.role("operator").person_kinds) == {"staff", "student"}
    assert "research_group" not in pku.eligible_unit_kinds
    assert bit.review_month == 12
    assert "filing" in bit.forms and "approval" in pku.forms and "filing" not in pku.forms


def test_graduation_notice_weeks_is_read_or_defaults_for_an_older_copy() -> None:
    data = json.loads(json.dumps(load_profile("pku-coe").raw))
    data["deadlines"]["graduation_notice_weeks"] = 6
    assert profile_from_json(json.dumps(data)).deadlines["graduation_notice_weeks"] == 6
    del data["deadlines"]["graduation_notice_weeks"]
    assert profile_from_json(json.dumps(data)).deadlines["graduation_notice_weeks"] == 4


def test_a_new_institution_is_a_new_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = load_profile("bit").raw | {"id": "thu", "name": "某大学", "institution": "某大学"}
    path = tmp_path / "thu.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert load_profile(path).institution == "某大学"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("levels"), "levels"),
        (
            lambda d: d["deadlines"].update(change_filing_working_days=-1),
            "change_filing_working_days",
        ),
        (lambda d: d.update(forms=["filing", "fax"]), "forms"),
        (lambda d: d.update(copy_labels=["只有一联"]), "copy_labels"),
        (lambda d: d.update(eligible_unit_kinds=["martians"]), "eligible_unit_kinds"),
        (lambda d: d["roles"][0].update(person_kinds=["robot"]), "person_kinds"),
        (lambda d: d.update(format=99), "format"),
        (lambda d: d["deadlines"].update(graduation_notice_weeks=0), "graduation_notice_weeks"),
        (lambda d: d["deadlines"].update(graduation_notice_weeks="4"), "graduation_notice_weeks"),
    ],
)
def test_invalid_profiles_name_the_bad_key(mutate, message) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(json.dumps(load_profile("bit").raw))
    mutate(data)
    with pytest.raises(ProfileError, match=message):
        profile_from_json(json.dumps(data))


def test_broken_json_and_unknown_id() -> None:
    with pytest.raises(ProfileError, match="JSON"):
        profile_from_json("{not json")
    with pytest.raises(ProfileError, match="bit"):
        load_profile("nonexistent")


def test_traditional_to_simplified_loads_without_pkg_resources() -> None:
    """zhconv opens its dictionary file directly (pkg_resources cost 0.1-0.2 s to import)."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from nmdesk.names import to_simplified\n"
        "print(to_simplified('北京大學計算機學院'), 'pkg_resources' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["北京大学计算机学院", "False"]

"""The command line on a register on the session's throwaway PostgreSQL server
(``--server URL``), and ``--server`` beside ``--path``."""

from __future__ import annotations

from pathlib import Path

import pytest

from nmdesk.cli import main


def out_err(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_init_list_and_verify_on_the_server(
    server_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--profile", "pku-coe", "--server", server_database]) == 0
    out, _ = out_err(capsys)
    assert out.startswith("已新建备案库：postgresql://") and "北京大学工学院" in out
    assert main(["list", "--server", server_database]) == 0
    assert out_err(capsys)[0] == ""
    assert main(["verify", "--server", server_database]) == 0
    out, _ = out_err(capsys)
    assert "pg_dump" in out  # no backup folder on this computer to list
    # a second init refuses to overwrite the register in that database
    assert main(["init", "--profile", "bit", "--server", server_database]) == 2
    assert "已有备案库" in out_err(capsys)[1]


def test_demo_then_list_search_show_and_check_on_the_server(
    server_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--accounts", "40", "--server", server_database]) == 0
    assert "40 个账号" in out_err(capsys)[0]
    assert main(["list", "--server", server_database]) == 0
    lines = out_err(capsys)[0].splitlines()
    assert len(lines) == 40
    first = lines[0].split("\t")
    assert main(["list", "--search", first[2], "--server", server_database]) == 0
    assert any(line.split("\t")[0] == first[0] for line in out_err(capsys)[0].splitlines())
    assert main(["show", first[0], "--server", server_database]) == 0
    assert f"账号名称：{first[2]}" in out_err(capsys)[0]
    assert main(["check", "--all", "--server", server_database]) in (0, 1)
    assert "项逾期" in out_err(capsys)[0]
    assert main(["verify", "--server", server_database]) == 0


@pytest.mark.parametrize(
    ("command", "words"),
    [
        (["backups"], "只用于本机的备案库文件"),
        (["restore", "/nonexistent/backup.nmdesk"], "只用于本机的备案库文件"),
        (["unlock", "--force"], "只用于本机的备案库文件"),
        (["backup"], "pg_dump"),
    ],
)
def test_what_a_server_register_cannot_do_yet_is_one_sentence(
    server_database: str, capsys: pytest.CaptureFixture[str], command: list[str], words: str
) -> None:
    assert main(["init", "--profile", "bit", "--server", server_database]) == 0
    out_err(capsys)
    assert main([*command, "--server", server_database]) == 2
    out, err = out_err(capsys)
    assert out == "" and err.startswith("错误：") and words in err
    assert len(err.strip().splitlines()) == 1


def test_a_wrong_password_is_one_sentence(
    server_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    wrong = tmp_path / "pgpass"
    wrong.write_text("*:*:*:*:not-the-password\n")
    wrong.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(wrong))
    assert main(["list", "--server", server_database]) == 2
    err = out_err(capsys)[1]
    assert "用户名或密码不对" in err and len(err.strip().splitlines()) == 1


def test_path_and_server_together_are_refused_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql://clerk@db.example.edu/register"
    with pytest.raises(SystemExit) as stopped:
        main(["list", "--path", str(tmp_path / "a.nmdesk"), "--server", url])
    assert stopped.value.code == 2
    err = out_err(capsys)[1]
    assert "--path 和 --server 只能给出一个" in err and "not allowed" not in err
    assert not (tmp_path / "a.nmdesk").exists()


def test_a_server_option_that_is_not_a_url_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["list", "--server", "db.example.edu/register"])
    assert stopped.value.code == 2
    assert "postgresql://用户名@服务器[:端口]/数据库" in out_err(capsys)[1]


def test_every_command_with_path_takes_server() -> None:
    from nmdesk.cli import build_parser

    parser = build_parser()
    seen = 0
    pending = [parser]
    while pending:
        current = pending.pop()
        for action in current._actions:
            choices = getattr(action, "choices", None)
            if isinstance(choices, dict):
                pending.extend(choices.values())
        options = {option for action in current._actions for option in action.option_strings}
        if "--path" in options:
            seen += 1
            assert "--server" in options, current.prog
    assert seen >= 20

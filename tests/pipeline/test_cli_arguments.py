"""The command line as a Unix tool: help with examples for every subcommand and option,
and each bad argument refused with exit 2 by the name the user gave, before anything runs.

The window tests hold one customs month (the grain fixtures' May 2024), so the refusals
are checked against data whose months are known by hand."""

import argparse
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from orchestration.cli import build_parser, main

REPO = Path(__file__).resolve().parents[2]
MAY_2024 = (
    REPO
    / "tests"
    / "fixtures"
    / "customs"
    / "grains"
    / "stage1"
    / "gacc_2024-05_import_commodity.csv"
)


def _subparsers(parser: argparse.ArgumentParser, prefix: str = ""):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prefix}{name}", sub
                yield from _subparsers(sub, f"{prefix}{name} ")


def test_every_subcommand_and_option_has_help_with_examples():
    parser = build_parser()
    commands = dict(_subparsers(parser))
    assert {
        "run",
        "ui",
        "docs",
        "status",
        "generate",
        "bench",
        "revert",
        "customs",
        "customs coverage",
        "customs plan",
    } <= set(commands)
    for name, sub in [("", parser), *commands.items()]:
        text = sub.format_help()
        assert "``" not in text, name
        assert "examples:\n  chokepoint " in text, f"{name}: no examples"
        for action in sub._actions:
            if action.option_strings and action.dest != "help":
                assert action.help and action.help != argparse.SUPPRESS, (
                    f"{name} {action.option_strings[0]}: no help"
                )
    # the list of subcommands shows a help line for each
    listed = parser._subparsers._group_actions[0]._choices_actions
    assert len(listed) >= 8 and all(c.help for c in listed)


@pytest.fixture(autouse=True)
def _own_environment():
    """main() exports the data folder's settings: give the session's back afterwards."""
    import os

    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
    from tests.conftest import restore_session_environment

    restore_session_environment()


def _refused(capsys, argv: list[str]) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert "OK" not in out
    return err


@pytest.fixture()
def one_month(tmp_path) -> Path:
    """A data folder with one customs file (2024-05) in its landing folder."""
    data = tmp_path / "data"
    (data / "landing" / "customs").mkdir(parents=True)
    shutil.copy(MAY_2024, data / "landing" / "customs" / MAY_2024.name)
    return data


def test_missing_data_folder_is_refused_unless_init(tmp_path, capsys):
    missing = tmp_path / "nonexistent"
    err = _refused(capsys, ["run", "--data-dir", str(missing)])
    assert "argument --data-dir" in err and str(missing) in err and "--init" in err
    assert not missing.exists()
    err = _refused(capsys, ["status", "--data-dir", str(missing)])
    assert "argument --data-dir" in err and not missing.exists()

    assert main(["status", "--data-dir", str(missing), "--init"]) == 0
    assert (missing / "dagster_home").is_dir()


def test_from_before_the_window_start_is_an_argument_error(one_month, capsys):
    err = _refused(capsys, ["run", "--data-dir", str(one_month), "--from", "2014-06"])
    assert "argument --from: 2014-06 is before the analysis window" in err
    assert "2015-01" in err and "CheckError" not in err


def test_malformed_month_names_its_argument(one_month, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--data-dir", str(one_month), "--from", "2019-13"])
    assert exit_.value.code == 2
    assert "argument --from: expected YYYY-MM" in capsys.readouterr().err


def test_to_before_from_blames_to(one_month, capsys):
    err = _refused(
        capsys, ["run", "--data-dir", str(one_month), "--from", "2019-05", "--to", "2019-01"]
    )
    assert "argument --to: 2019-01 is before --from 2019-05" in err


def test_from_after_the_data_blames_from_not_a_to_never_given(one_month, capsys):
    err = _refused(
        capsys, ["run", "--data-dir", str(one_month), "--no-synthetic", "--from", "2030-01"]
    )
    assert "argument --from: 2030-01 is after the latest month in the data" in err
    assert "2024-05 .. 2024-05" in err and "--to" not in err


@pytest.mark.parametrize(
    ("window", "blamed"), [(("2030-01", "2030-03"), "--from"), (("2016-01", "2016-12"), "--to")]
)
def test_empty_window_is_refused_not_ok(one_month, capsys, window, blamed):
    err = _refused(
        capsys,
        [
            "run",
            "--data-dir",
            str(one_month),
            "--no-synthetic",
            "--from",
            window[0],
            "--to",
            window[1],
        ],
    )
    assert f"argument {blamed}: the window {window[0]} .. {window[1]} holds no month" in err
    # nothing ran: no warehouse, no run report
    assert not (one_month / "warehouse" / "chokepoint.duckdb").exists()
    assert not (one_month / "reports" / "last_run.txt").exists()


def test_window_on_its_month_passes_the_checks(one_month):
    from orchestration.runner import check_window, window_end
    from orchestration.settings import Settings

    settings = Settings(data_dir=one_month)
    check_window("2024-05", "2024-05")
    assert window_end(settings, "2024-05", "2024-05") == "2024-05"
    assert window_end(settings, "2024-01", None) == "2024-05"


@pytest.fixture()
def busy_port():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_ui_refuses_a_busy_port_before_starting_anything(one_month, busy_port, capsys, monkeypatch):
    def no_process(*args, **kwargs):
        raise AssertionError(f"started {args[0]} on a busy port")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    err = _refused(capsys, ["ui", "--data-dir", str(one_month), "--port", str(busy_port)])
    assert f"argument --port: {busy_port} is already in use" in err


def test_ui_refuses_a_busy_docs_port(one_month, busy_port, capsys, monkeypatch):
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pytest.fail("started"))
    monkeypatch.setenv("CHOKEPOINT_DOCS_PORT", str(busy_port))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    err = _refused(capsys, ["ui", "--data-dir", str(one_month), "--port", str(free)])
    assert f"argument CHOKEPOINT_DOCS_PORT: {busy_port} " in err


def test_docs_refuses_a_busy_port(one_month, busy_port, capsys):
    err = _refused(capsys, ["docs", "--data-dir", str(one_month), "--port", str(busy_port)])
    assert f"argument --port: {busy_port} is already in use" in err

import pytest

from aftomato.cli.main import COMMANDS, main


def test_every_process_and_user_command_of_the_design_is_there() -> None:
    expected = {"ingest", "scheduler", "watcher", "api", "up", "build", "logs", "builds", "aws"}
    assert expected <= set(COMMANDS)


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["deploy-everything"])
    assert exited.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_a_command_not_built_yet_says_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from aftomato.cli import main as cli

    monkeypatch.setitem(cli.COMMANDS, "ingest", cli.Command("aftomato.ingest.absent", "x"))
    assert main(["ingest"]) == 2
    assert "not built yet" in capsys.readouterr().err


def test_arguments_reach_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from aftomato.cli import main as cli

    monkeypatch.setitem(cli.COMMANDS, "status", cli.Command("tests.cli.echo_command", "x"))
    assert main(["status", "--verbose", "now"]) == 42

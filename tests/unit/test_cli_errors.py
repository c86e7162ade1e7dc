"""AWS access problems on the command line are one clear sentence and exit 2, not a traceback."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from civicline import cli


def test_help_lists_every_command_group() -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(cli.app, ["--help"])
    assert result.exit_code == 0
    for command in ("flows", "call", "data", "metrics", "simulate", "staffing", "whatif", "schemas"):
        assert command in result.output


@pytest.mark.parametrize(
    ("exc", "says"),
    [
        (NoCredentialsError(), "no AWS credentials"),
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), "cannot reach http://127.0.0.1:1"),
        (
            ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "x"}}, "Scan"),
            "table not found",
        ),
        (ClientError({"Error": {"Code": "AccessDeniedException"}}, "Scan"), "refused access"),
    ],
)
def test_fixable_aws_problems_are_explained(exc: Exception, says: str) -> None:
    assert says in (cli.aws_access_problem(exc) or "")


def test_other_errors_are_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a command that fails for a reason the user cannot fix
    def boom() -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(cli, "app", boom)
    # Then main re-raises it
    with pytest.raises(RuntimeError, match="bug"):
        cli.main()


def test_a_missing_credential_exits_2_with_the_sentence(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_credentials() -> None:
        raise NoCredentialsError()

    monkeypatch.setattr(cli, "app", no_credentials)
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 2
    assert "--endpoint-url" in capsys.readouterr().err

"""The app's entry point: which environment it builds, and a clear error for an unknown one."""

from __future__ import annotations

import pytest
from aws_cdk import App

from infra.app import environment_name, main

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def test_environment_comes_from_flag_then_context_then_default() -> None:
    # Given apps with and without the CDK context `env` (what `cdk synth -c env=prod` sets)
    with_context = App(context={"env": "prod"})
    without = App()
    # Then --env wins, the context comes next, and dev is the default
    assert environment_name(with_context, "dev") == "dev"
    assert environment_name(with_context) == "prod"
    assert environment_name(without) == "dev"


def test_unknown_environment_exits_with_a_message(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    # When the app is asked for an environment that has no file
    code = main(["--env", "nowhere", "--out", str(tmp_path)])
    # Then it stops before building anything and says which environments exist
    assert code == 2
    assert "no environment 'nowhere'" in capsys.readouterr().err

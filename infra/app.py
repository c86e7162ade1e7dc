"""The CDK app: ``python -m infra.app --env dev --out cdk.out`` or ``cdk synth -c env=dev``.

Synthesis is offline and deterministic: no context lookups, no AWS credentials, no Docker. The
environment file (infra/environments/<env>.yaml) gives the region (and optionally the account); the
stacks are otherwise environment-agnostic. cdk-nag's AwsSolutions and Serverless packs run on the
whole app; an unacknowledged finding fails the synth (see infra/nag.py for each acknowledgement).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import NamedTuple

# jsii prints a banner for Node 20 (end of life); the synth works and the banner buries real output
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

from aws_cdk import App, Environment, Stack, Tags

from infra.config import EnvConfig, InfraConfigError, load_config
from infra.nag import acknowledge, add_nag_packs
from infra.stacks.contact_center import ContactCenterStack
from infra.stacks.data import DataStack
from infra.stacks.test_cases import TestCasesStack, add_test_cases_stack

#: context every synthesis uses: exports between the stacks stay "strong" (CloudFormation refuses to
#: delete an export in use), stated explicitly so the template does not depend on a CDK default
APP_CONTEXT = {"@aws-cdk/core:defaultCrossStackReferences": "strong"}


class AppStacks(NamedTuple):
    """The app and its stacks, in deployment order (``test_cases`` is None when the config turns
    them off: then there is no TestCases stack at all)."""

    app: App
    data: DataStack
    center: ContactCenterStack
    test_cases: TestCasesStack | None

    def stacks(self) -> list[Stack]:
        return [s for s in (self.data, self.center, self.test_cases) if s is not None]


def new_app(outdir: str | None = None) -> App:
    """An App with deterministic output: no construct stack traces (they name jsii temp folders)."""
    return App(outdir=outdir, context=dict(APP_CONTEXT), stack_traces=False)


def build_app(
    config: EnvConfig,
    *,
    app: App | None = None,
    outdir: str | None = None,
    flow_texts: dict[str, str] | None = None,
    nag: bool = True,
) -> AppStacks:
    """Build the app's construct tree for one environment (synthesis is the caller's call)."""
    if app is None:
        app = new_app(outdir)
    env = Environment(account=config.account, region=config.region)
    data = DataStack(
        app,
        f"{config.stack_prefix}-Data",
        config=config,
        env=env,
        description=f"CivicLine {config.name}: tables and their key (stateful)",
        termination_protection=config.protect_data,
    )
    center = ContactCenterStack(
        app,
        f"{config.stack_prefix}-ContactCenter",
        config=config,
        tables=dict(data.tables),
        key=data.key,
        flow_texts=flow_texts,
        env=env,
        description=f"CivicLine {config.name}: Connect, functions, flows, events, observability",
    )
    center.add_stack_dependency(data)
    test_cases = add_test_cases_stack(
        app,
        config,
        center,
        env=env,
        description=f"CivicLine {config.name}: Connect test cases of tests/connect (after a deploy)",
    )
    built = AppStacks(app, data, center, test_cases)
    for key, value in sorted(config.tags.items()):
        Tags.of(app).add(key, value)
    if nag:
        add_nag_packs(app)
        acknowledge(config, *built.stacks())
    return built


def environment_name(app: App, cli_env: str | None = None) -> str:
    """``--env`` wins, then the CDK context ``env`` (``cdk synth -c env=prod``, cdk.json), then dev."""
    return str(cli_env or app.node.try_get_context("env") or "dev")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.app", description=__doc__.splitlines()[0])
    parser.add_argument("--env", help="environment file under infra/environments (default: context 'env')")
    parser.add_argument("--out", help="output directory (default: CDK_OUTDIR from the cdk CLI, or cdk.out)")
    args = parser.parse_args(argv)
    outdir = args.out or os.environ.get("CDK_OUTDIR") or "cdk.out"
    app = new_app(outdir)  # reads -c env=NAME and cdk.json context when run by the cdk CLI
    name = environment_name(app, args.env)
    try:
        config = load_config(str(name))
    except InfraConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    built = build_app(config, app=app)
    app.synth()
    print(f"synthesized {', '.join(s.stack_name for s in built.stacks())} into {outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

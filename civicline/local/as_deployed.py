"""Local runs as deployed: the flows exactly as ``make synth ENV=NAME`` renders them, through the
functions exactly as that stack configures them (``civicline call --env NAME``, ``simulate --env``).

* the flows are the ``Content`` of the synthesized ``AWS::Connect::ContactFlow`` resources (and the
  ``UpdateContactFlowContent`` patch of a back-edge), resolved by the same
  :class:`~civicline.local.cfn.CloudAssembly` that resolves the functions' environment, so a flow's
  queue ARN and the ``QUEUE_ARNS`` a function reads are the same string;
* names and ARNs are the deployment's (:class:`civicline.engine.arns.Naming`): ``$.Queue.Name`` is
  ``civicline-dev-tier2``, a queue ARN ends in an opaque id, a function is ``civicline-dev-routing``;
* every handler runs inside :meth:`DeployedStack.as_function` (SEAMS A): only its template's
  variables, its tables under deployed names, its role enforced;
* the hours are the environment's service calendar, the wait threshold its own (rendered by the
  stack from ``thresholds.virtual_hold_wait_seconds``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from civicline.engine.arns import Naming, use_naming
from civicline.engine.library import FlowLibrary, parse_flow_text
from civicline.local.aws import LocalAws
from civicline.local.deployed import DeployedStack
from civicline.local.environment import environment
from functions.domain.calendar import Calendar

_PATCH = "UpdateContactFlowContent"


class AsDeployedError(RuntimeError):
    """The synthesized template does not hold what a local run as deployed needs."""


def rendered_flows(stack: DeployedStack) -> dict[str, str]:
    """Flow name -> the Content the stack deploys for it (after the back-edge patches), resolved.

    Call under the environment's naming (:func:`use_naming`), as the functions' environment is.
    """
    assembly = stack.assembly
    contents: dict[str, str] = {}
    by_id: dict[str, str] = {}
    for resource in assembly.resources("AWS::Connect::ContactFlow"):
        name = assembly.connect_name(resource)
        contents[name] = str(assembly.resolve(resource.properties["Content"], resource.stack))
        arn = str(assembly.resolve({"Fn::GetAtt": [resource.logical_id, "ContactFlowArn"]}, resource.stack))
        by_id[arn.rsplit("/", 1)[-1]] = name
    for resource in assembly.resources("Custom::AWS"):
        create = resource.properties.get("Create")
        if _PATCH not in json.dumps(create):
            continue
        call: dict[str, Any] = json.loads(str(assembly.resolve(create, resource.stack)))
        target = by_id.get(str(call["parameters"]["ContactFlowId"]))
        if target is None:
            raise AsDeployedError(f"{resource.logical_id}: patches a flow the template does not create")
        contents[target] = str(call["parameters"]["Content"])
    return contents


def deployed_library(stack: DeployedStack) -> FlowLibrary:
    library = FlowLibrary()
    for name, content in rendered_flows(stack).items():
        library.add(parse_flow_text(content, name=name))
    return library


@dataclass
class AsDeployed:
    """What one ``--env`` run uses: the stack, its flows, its calendars, the moto behind them."""

    env: str
    stack: DeployedStack
    library: FlowLibrary
    calendars: dict[str, Calendar]
    aws: LocalAws

    def around(self, function: str) -> AbstractContextManager[None]:
        """Run a handler as the stack configures ``function`` (for LambdaInvoker.around)."""
        return self.stack.as_function(function)

    def as_operator(self) -> AbstractContextManager[None]:
        """The deployed table names in the environment, as an operator's shell has them (seeding)."""
        return environment(self.stack.table_environment())


@contextmanager
def running_as_deployed(env: str, *, seed_at: datetime | None = None) -> Iterator[AsDeployed]:
    """Inside the block, ``env``'s naming is in force and its tables exist on a fresh moto
    (seeded with the reference and demo data at ``seed_at`` when given)."""
    from infra.calendar import environment_calendar
    from infra.config import load_config
    from infra.registry import HOURS

    config = load_config(env)
    stack = DeployedStack.for_env(env)
    with (
        use_naming(Naming(prefix=config.resource_prefix)),
        LocalAws(prefix=f"{config.resource_prefix}-unused") as aws,
    ):
        stack.create_resources(aws)
        run = AsDeployed(
            env,
            stack,
            deployed_library(stack),
            {h.name: environment_calendar(config, h.name) for h in HOURS},
            aws,
        )
        if seed_at is not None:
            from civicline.data import seed_demo

            with run.as_operator():
                seed_demo(seed_at)
        stack.calls.clear()
        yield run


def run_day_as_deployed(env: str, profile: Any, seed: int, *, calls: int | None = None) -> Any:
    """One simulated day (``civicline simulate --env``) through ``env``'s rendered flows, its
    calendar, and each flow-invoked function as its stack configures it.

    The simulator's own direct calls (the callback dispatcher, the aggregator) see the deployed
    table names but run without the IAM enforcer: only Connect-invoked functions are wrapped.
    """
    import sys

    from civicline.sim.day import DayRunner, quiet_logs
    from civicline.sim.fastmoto import fast_transactions
    from infra.calendar import environment_calendar
    from infra.config import load_config

    config = load_config(env)
    stack = DeployedStack.for_env(env)
    naming = Naming(prefix=config.resource_prefix)
    extra = {
        **stack.table_environment(),
        "SERVICE_LEVEL_SECONDS": str(int(profile.service_level_seconds)),
        "TIME_ZONE": environment_calendar(config).time_zone,
    }
    saved_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(saved_limit, 20_000))  # as run_day: moto's deep UpdateExpression trees
    try:
        with (
            use_naming(naming),
            LocalAws(prefix=f"{naming.prefix}-sim", extra_env=extra) as aws,
            quiet_logs(),
            fast_transactions(),
        ):
            stack.create_resources(aws)
            runner = DayRunner(profile, seed, aws, calls=calls, library=deployed_library(stack))
            runner.invoker.around = stack.as_function
            runner.center.calendar = environment_calendar(config)
            return runner.run()
    finally:
        sys.setrecursionlimit(saved_limit)

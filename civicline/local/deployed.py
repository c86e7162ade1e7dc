"""Run each Lambda function locally exactly as the synthesized stack configures it.

Locally every function sees every table (:class:`civicline.local.aws.LocalAws` sets them all), so a
function whose stack forgets a table or a grant works in every test and fails in production (issue
13, item 0). :class:`DeployedStack` reads the templates ``python -m infra.app --env NAME``
synthesizes and gives a function, for the duration of :meth:`DeployedStack.as_function`:

* exactly its template ``Environment.Variables`` (intrinsics resolved by
  :class:`civicline.local.cfn.CloudAssembly` to deployed-shaped local names) plus the variables the
  Lambda runtime itself sets, and none of the other functions' variables;
* the tables under their deployed-shaped names (:meth:`DeployedStack.create_resources`), and the
  pseudonym secret;
* an IAM enforcer on botocore's ``before-call``: a call its role's statements do not allow is
  answered ``AccessDeniedException`` before it reaches moto (nothing happens, as in AWS). Every
  authorization request is recorded (:attr:`DeployedStack.calls`), allowed or not, so tests can
  compare use and grants both ways.

Synthesis takes ~20 s; it runs once per content hash of what shapes the templates and is kept on
disk (``CIVICLINE_SYNTH_CACHE``, default a folder under the system temporary directory).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import shutil
import string
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from civicline.local.aws import ACCOUNT, REGION
from civicline.local.aws_faults import _api_params, error_answer
from civicline.local.cfn import CloudAssembly, Resource
from civicline.local.environment import environment as process_environment
from civicline.local.iam import AuthRequest, Policy, TableKeys, requests_of
from functions.core.settings import TABLE_ENV
from infra.registry import FUNCTIONS_BY_NAME, TABLES

if TYPE_CHECKING:
    from civicline.local.aws import LocalAws

ROOT = Path(__file__).resolve().parents[2]
#: what shapes the synthesized templates (the code asset, the flows, the CDK app and its pins)
_SYNTH_INPUTS = ("infra", "functions", "schemas", "flows", "cdk.json", "uv.lock")
_SYNTH_SUFFIXES = (".py", ".yaml", ".json", ".lock")
#: variables the functions' settings read even when a template does not set them (never inherited)
_SETTINGS_ENV = (
    "QUEUE_ARNS",
    "CONNECT_INSTANCE_ARN",
    "OUTBOUND_FLOW_ARN",
    "CHAT_FLOW_ARN",
    "SOURCE_PHONE_NUMBER",
    "PSEUDONYM_SECRET_ARN",
    "PSEUDONYM_KEY",
    "AWS_TIMEOUT_SECONDS",
    "AWS_MAX_ATTEMPTS",
    "METRICS_COMMIT_MODE",
)


class SynthesisError(RuntimeError):
    """``python -m infra.app`` failed; the message carries the end of its output."""


@dataclass(frozen=True)
class RecordedCall:
    """One authorization request a function's call made, and whether its role allowed it."""

    function: str
    operation: str
    request: AuthRequest
    allowed: bool


def synth_inputs_hash(root: Path = ROOT) -> str:
    """A content hash of every file that shapes the templates (cache key of a synthesis)."""
    digest = hashlib.sha256()
    for item in _SYNTH_INPUTS:
        path = root / item
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            if file.suffix in _SYNTH_SUFFIXES and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(root)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:20]


def _cache_root() -> Path:
    configured = os.environ.get("CIVICLINE_SYNTH_CACHE")
    return Path(configured) if configured else Path(tempfile.gettempdir()) / f"civicline-synth-{os.getuid()}"


def synthesize(env: str, root: Path = ROOT) -> Path:
    """The cloud assembly of ``env`` for the current sources: from the cache, or synthesized now."""
    target = _cache_root() / f"{env}-{synth_inputs_hash(root)}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{target}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one synthesis per env and hash, even across processes
        if (target / "manifest.json").is_file():
            return target
        scratch = Path(tempfile.mkdtemp(prefix=f"{target.name}-", dir=target.parent))
        environ = {
            **os.environ,
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
            "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
        }
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "infra.app", "--env", env, "--out", str(scratch)],
            cwd=root,
            env=environ,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            shutil.rmtree(scratch, ignore_errors=True)
            raise SynthesisError(f"synthesis of {env} failed: {(done.stderr or done.stdout)[-2000:]}")
        scratch.rename(target)
    return target


@dataclass
class DeployedStack:
    """One environment's synthesized stacks, runnable function by function on moto."""

    env: str
    assembly: CloudAssembly
    #: every authorization request made under :meth:`as_function`, in order
    calls: list[RecordedCall] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    _loaded: ClassVar[dict[tuple[str, str], DeployedStack]] = {}

    # --- construction ---------------------------------------------------------------------------

    @classmethod
    def for_env(cls, env: str) -> DeployedStack:
        """The stack of ``env`` for the current sources (synthesized once per content hash)."""
        key = (env, synth_inputs_hash())
        if key not in cls._loaded:
            cls._loaded[key] = cls.from_template_dir(synthesize(env), env)
        return cls._loaded[key]

    @classmethod
    def from_template_dir(cls, path: Path, env: str) -> DeployedStack:
        from infra.config import load_config

        config = load_config(env)
        assembly = CloudAssembly.from_dir(
            path,
            config.stack_prefix,
            config.resource_prefix,
            account=config.account,
            instance_arn=config.connect.existing_instance_arn,
        )
        return cls(env, assembly)

    # --- what the template says -----------------------------------------------------------------

    def _table(self, logical: str) -> Resource:
        spec = next(t for t in TABLES if t.logical == logical)
        return self.assembly.resource(spec.construct_id)

    def _function(self, function: str) -> Resource:
        if function not in FUNCTIONS_BY_NAME:
            raise KeyError(f"no function {function!r} in the registry")
        return self.assembly.resource(FUNCTIONS_BY_NAME[function].construct_id)

    def table_names(self) -> dict[str, str]:
        """Registry logical table -> its deployed-shaped local name."""
        return {
            t.logical: str(self.assembly.resolve({"Ref": t.construct_id}, self._table(t.logical).stack))
            for t in TABLES
        }

    def table_environment(self) -> dict[str, str]:
        """``<X>_TABLE`` -> deployed-shaped name for every table (to seed them, as an operator would)."""
        return {TABLE_ENV[logical]: name for logical, name in self.table_names().items()}

    def function_environment(self, function: str) -> dict[str, str]:
        """Exactly the template's ``Environment.Variables`` of ``function``, resolved locally."""
        resource = self._function(function)
        variables = resource.properties.get("Environment", {}).get("Variables", {})
        return {k: str(v) for k, v in self.assembly.resolve(variables, resource.stack).items()}

    def runtime_environment(self, function: str) -> dict[str, str]:
        """The variables the Lambda runtime adds for ``function`` (name, memory, handler, region)."""
        props = self._function(function).properties
        name = str(
            self.assembly.resolve(
                {"Ref": self._function(function).logical_id}, self._function(function).stack
            )
        )
        return {
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(props.get("MemorySize", 128)),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{props.get('Runtime', 'python3.13')}",
            "_HANDLER": str(props.get("Handler", "")),
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
        }

    def grants(self, function: str) -> list[dict[str, Any]]:
        """The IAM policy statements of ``function``'s role (inline and attached policies)."""
        resource = self._function(function)
        role = resource.properties["Role"]
        role_id = role["Fn::GetAtt"][0] if isinstance(role, dict) and "Fn::GetAtt" in role else None
        if role_id is None:
            raise ValueError(f"{function}: its role is not a resource of the stack")
        statements: list[dict[str, Any]] = []
        role_resource = self.assembly.resource(role_id, resource.stack)
        if role_resource.properties.get("ManagedPolicyArns"):
            raise ValueError(f"{function}: managed policies are not evaluated locally")
        for policy in role_resource.properties.get("Policies", []):
            statements += policy["PolicyDocument"]["Statement"]
        for policy in self.assembly.resources("AWS::IAM::Policy"):
            if policy.stack == resource.stack and {"Ref": role_id} in policy.properties.get("Roles", []):
                statements += policy.properties["PolicyDocument"]["Statement"]
        resolved: list[dict[str, Any]] = self.assembly.resolve(statements, resource.stack)
        return resolved

    def table_keys(self) -> dict[str, TableKeys]:
        """Deployed table name -> its key schema (for the IAM request context)."""
        found: dict[str, TableKeys] = {}
        for logical, name in self.table_names().items():
            props = self._table(logical).properties
            keys = {k["KeyType"]: k["AttributeName"] for k in props["KeySchema"]}
            indexes = {
                index["IndexName"]: next(
                    k["AttributeName"] for k in index["KeySchema"] if k["KeyType"] == "HASH"
                )
                for index in props.get("GlobalSecondaryIndexes", [])
            }
            found[name] = TableKeys(keys["HASH"], tuple(keys.values()), indexes)
        return found

    # --- resources on moto ----------------------------------------------------------------------

    def create_resources(self, aws: LocalAws) -> None:
        """Create the tables (deployed-shaped names, the template's keys, indexes, TTL, streams)
        and the secrets on the moto behind ``aws``; records the physical ids moto assigns."""
        ddb = aws.client("dynamodb")
        existing = set(ddb.list_tables().get("TableNames", []))
        for table in TABLES:
            resource = self._table(table.logical)
            name = self.table_names()[table.logical]
            if name not in existing:
                ddb.create_table(**_create_table_kwargs(name, resource.properties))
                ttl = resource.properties.get("TimeToLiveSpecification")
                if ttl and ttl.get("Enabled"):
                    ddb.update_time_to_live(
                        TableName=name,
                        TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
                    )
            stream = ddb.describe_table(TableName=name)["Table"].get("LatestStreamArn")
            if stream:
                self.assembly.set_physical(resource, "StreamArn", stream)
        for secret in self.assembly.resources("AWS::SecretsManager::Secret"):
            self._create_secret(aws, secret)

    def _create_secret(self, aws: LocalAws, resource: Resource) -> None:
        manager = aws.client("secretsmanager")
        name = self.assembly.name_property(resource, "Name") or resource.logical_id
        try:
            arn = manager.describe_secret(SecretId=name)["ARN"]
        except manager.exceptions.ResourceNotFoundException:
            generate = resource.properties.get("GenerateSecretString", {})
            alphabet = string.ascii_letters + string.digits
            if not generate.get("ExcludePunctuation"):
                alphabet += "!#$%&()*+,-.:;<=>?@[]^_{|}~"
            value = "".join(secrets.choice(alphabet) for _ in range(int(generate.get("PasswordLength", 32))))
            arn = manager.create_secret(Name=name, SecretString=value)["ARN"]
        self.assembly.set_physical(resource, "Ref", arn)

    # --- running a function ---------------------------------------------------------------------

    def recorded(self, function: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.function == function]

    @contextmanager
    def as_function(self, function: str) -> Iterator[None]:
        """Run the block as ``function`` runs in AWS: its environment only, its role enforced."""
        environment = {**self.function_environment(function), **self.runtime_environment(function)}
        removed = set(_SETTINGS_ENV) | set(TABLE_ENV.values())
        for other in FUNCTIONS_BY_NAME:
            removed |= set(self.function_environment(other))
        enforcer = _Enforcer(self, function, Policy(tuple(self.grants(function))), self.table_keys())
        with process_environment(environment, remove=removed), enforcer.installed():
            yield


def _create_table_kwargs(name: str, props: Mapping[str, Any]) -> dict[str, Any]:
    """CreateTable arguments from a template's ``AWS::DynamoDB::Table`` properties."""
    kwargs: dict[str, Any] = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        kwargs["GlobalSecondaryIndexes"] = [
            {k: v for k, v in index.items() if k in ("IndexName", "KeySchema", "Projection")}
            for index in props["GlobalSecondaryIndexes"]
        ]
    stream = props.get("StreamSpecification")
    if stream:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    return kwargs


class _Enforcer:
    """Answers a call the role does not allow with AccessDeniedException, at ``before-call``.

    Registered first on every botocore client created while installed (the functions build their
    clients lazily, after :func:`~civicline.local.environment.reset_function_state`), so it runs
    before fault injectors registered later on the same client: AWS authorizes a request before
    anything else happens.
    """

    def __init__(
        self, stack: DeployedStack, function: str, policy: Policy, keys: Mapping[str, TableKeys]
    ) -> None:
        self.stack = stack
        self.function = function
        self.policy = policy
        self.keys = keys
        self.active = False
        self.uid = f"civicline-iam-{id(self)}"

    def hook(self, model: Any, params: dict[str, Any], **_: Any) -> Any:
        if not self.active:
            return None
        service = model.service_model.signing_name
        requests = requests_of(service, model.name, _api_params(params), self.keys)
        refused: AuthRequest | None = None
        with self.stack._lock:
            for request in requests:
                allowed = self.policy.allows(request)
                self.stack.calls.append(RecordedCall(self.function, model.name, request, allowed))
                if not allowed and refused is None:
                    refused = request
        if refused is None:
            return None
        role = f"arn:aws:sts::{ACCOUNT}:assumed-role/{self.function}"
        return error_answer(
            "AccessDeniedException",
            f"User: {role} is not authorized to perform: {refused.action} on resource: "
            f"{refused.resource} because no identity-based policy allows the {refused.action} action",
        )

    @contextmanager
    def installed(self) -> Iterator[None]:
        from botocore.session import Session

        original = Session.create_client
        enforcer = self

        def create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
            created = original(session, *args, **kwargs)
            # the most specific wildcard key, first there: botocore calls deeper keys first, and
            # fault injectors (civicline.local.aws_faults) registered later on the same key run after
            created.meta.events.register_first("before-call.*.*", enforcer.hook, unique_id=enforcer.uid)
            return created

        Session.create_client = create_client  # type: ignore[method-assign,assignment]
        self.active = True
        try:
            yield
        finally:
            self.active = False
            Session.create_client = original  # type: ignore[method-assign]

"""The code asset, staged exactly as the stack stages it, in an environment holding only what
Lambda gives it: the runtime's boto3/botocore and the Powertools layer's packages.

The environment is a fresh ``python -m venv`` without pip. Its packages are the locked
distributions (uv.lock), copied file by file (their RECORD) from the project's environment: the
package index is not reachable offline and the uv cache does not hold them. Which ones:

* the Python runtime provides boto3 and botocore with their dependencies (s3transfer, jmespath,
  python-dateutil, six, urllib3);
* the public Powertools v3 layer provides aws-lambda-powertools and pydantic v2 (pydantic-core,
  annotated-types, typing-extensions, typing-inspection), as infra/constructs/functions.py relies on.

UNVERIFIED offline: the exact Powertools release behind layer version 27 (the locked 3.37.0 stands
in for it) and the runtime's boto3 version; the interpreter is this machine's, not python3.13.
What the asset lacks fails here: every handler is imported with nothing else on the path, then
invoked once on moto with an import guard that refuses anything the asset's code takes from the
test tools (tests/deployed/packaging_harness.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from infra.registry import FUNCTIONS
from tests.conftest import ROOT, conformance_files

pytestmark = [pytest.mark.infra, pytest.mark.slow]

RUNTIME = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")
LAYER = (
    "aws-lambda-powertools",
    "pydantic",
    "pydantic-core",
    "annotated-types",
    "typing-extensions",
    "typing-inspection",
)


def copy_distribution(name: str, site: Path) -> None:
    """Install a locked distribution into ``site`` from the project environment, file by file."""
    dist = metadata.distribution(name)
    for file in dist.files or ():
        source = Path(str(dist.locate_file(file)))
        if source.is_file() and "__pycache__" not in file.parts and not str(file).startswith(".."):
            target = site / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def clean_environment(folder: Path) -> Path:
    """A venv with only the runtime's and the layer's packages; returns its interpreter."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    for name in (*RUNTIME, *LAYER):
        copy_distribution(name, site)
    return python


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clean_environment(tmp_path_factory.mktemp("packaging") / "venv")


def staged(folder: Path) -> Path:
    from infra.constructs.functions import stage_code

    return stage_code(folder)


def run_harness(python: Path, asset: Path) -> dict[str, Any]:
    """The harness's report for ``asset`` in the clean environment ``python``."""
    envelope = next(p for p in conformance_files("events", "eventbridge__") if "connected-to-agent" in p.stem)
    done = subprocess.run(
        [
            str(python),
            "-I",  # isolated: no user site, no PYTHON* variables, no script folder on the path
            str(ROOT / "tests" / "deployed" / "packaging_harness.py"),
            str(asset),
            sysconfig.get_paths()["purelib"],
            str(ROOT),
            str(envelope),
            json.dumps({spec.name: spec.handler for spec in FUNCTIONS}),
        ],
        cwd=asset,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


@pytest.fixture(scope="module")
def packaged(environment: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run_harness(environment, staged(tmp_path_factory.mktemp("asset")))


def test_every_handler_imports_with_only_the_runtime_and_the_layer(packaged: dict[str, Any]) -> None:
    assert packaged["import_errors"] == {}
    assert sorted(packaged["imported"]) == sorted(spec.name for spec in FUNCTIONS)
    # And nothing but the asset, the runtime's and the layer's packages and the standard library was loaded
    allowed = {"functions", "schemas", "infra", "boto3", "botocore", "s3transfer", "jmespath", "dateutil"}
    allowed |= {"six", "urllib3", "aws_lambda_powertools", "pydantic", "pydantic_core", "annotated_types"}
    allowed |= {"typing_extensions", "typing_inspection"}
    foreign = [m for m in packaged["modules"] if m not in allowed and m not in sys.stdlib_module_names]
    assert [m for m in foreign if not m.startswith("_")] == []


def test_every_handler_runs_once_on_moto_without_anything_the_asset_lacks(packaged: dict[str, Any]) -> None:
    assert packaged["leaks"] == []
    errors = {
        name: r["error"] for name, r in packaged["invoked"].items() if isinstance(r, dict) and "error" in r
    }
    assert errors == {}
    invoked = packaged["invoked"]
    assert invoked["case_status"]["result"] == "FOUND"
    assert invoked["routing"]["result"] == "ROUTED"
    assert invoked["appeals"]["result"] == "REGISTERED"
    assert invoked["callback"]["result"] == "CREATED"
    assert invoked["contact_events"]["batchItemFailures"] == []


def test_a_module_the_asset_lacks_fails_the_import(environment: Path, tmp_path: Path) -> None:
    # Given an asset without the registry (callback imports infra.registry)
    asset = staged(tmp_path)
    (asset / "infra" / "registry.py").unlink()
    # Then importing the handlers fails here, as it would in Lambda
    assert "callback" in run_harness(environment, asset)["import_errors"]


def test_a_late_import_of_a_test_tool_fails_the_invocation(environment: Path, tmp_path: Path) -> None:
    # Given a handler that imports, when called, a package only the test tools have
    asset = staged(tmp_path)
    survey = asset / "functions" / "handlers" / "survey.py"
    survey.write_text(
        survey.read_text(encoding="utf-8")
        + "\n\n_handler = handler\n\n\ndef handler(event, context):\n    import requests  # noqa: F401\n"
        "    return _handler(event, context)\n",
        encoding="utf-8",
    )
    # Then the invocation fails and the report names the module
    report = run_harness(environment, asset)
    assert report["import_errors"] == {}
    assert any(leak.startswith("requests") for leak in report["leaks"])
    assert "error" in report["invoked"]["survey"]


def test_the_asset_holds_only_the_declared_content(tmp_path: Path) -> None:
    from infra.constructs.functions import ASSET_CONTENT

    asset = staged(tmp_path / "asset")
    top = {p.name for p in asset.iterdir()}
    assert top == {item.split("/")[0] for item in ASSET_CONTENT}
    assert not list(asset.rglob("__pycache__"))
    assert not (asset / "civicline").exists() and (ROOT / "civicline").is_dir()

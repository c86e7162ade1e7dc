"""What a Connect-facing function loads on a cold start: the deterministic half of the budget.

The cold-start ratio itself is measured by ``make bench`` (benchmarks/bench_handlers.py), not timed
here. What can be checked exactly is what makes it: a fresh interpreter that imports a handler and
answers one event must not have loaded pydantic, the X-Ray SDK or boto3's resource layer, each of
which costs a fifth or more of the floor on its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONNECT_FACING = ("routing", "case_status", "appeals", "callback", "survey")
#: a first event each function answers without AWS: empty parameters are invalid input, except for
#: the survey, where every answer is optional (an empty survey is a declined one, and is stored), so
#: its probe names a language it does not speak
PROBE_PARAMETERS = {"survey": {"language": "xx"}}
HEAVY = ("pydantic", "pydantic_core", "aws_xray_sdk", "boto3", "jsonschema")

_PROBE = """
import json, sys
import functions.handlers.{name} as handler
contact = {{"ContactId": "c-1"}}
event = {{"Name": "ContactFlowEvent", "Details": {{"ContactData": contact, "Parameters": {params}}}}}
result = handler.handler(event, None)
print(json.dumps({{"result": result, "loaded": [m for m in {heavy!r} if m in sys.modules]}}))
"""


@pytest.mark.parametrize("name", CONNECT_FACING)
def test_a_cold_handler_answers_without_loading_heavy_libraries(name: str) -> None:
    # Given a fresh interpreter with no AWS access configured
    env = {"AWS_DEFAULT_REGION": "us-east-1", "PATH": "", "PYTHONDONTWRITEBYTECODE": "1"}
    # When it imports the handler and answers a first event
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            _PROBE.format(name=name, heavy=HEAVY, params=json.dumps(PROBE_PARAMETERS.get(name, {}))),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    # Then it answered with a typed result, and none of the heavy libraries was loaded
    assert report["result"]["result"] in {"INVALID_INPUT", "NOT_FOUND", "DECLINED"}
    assert report["loaded"] == []

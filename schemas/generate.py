"""Generate the JSON Schema files of the contracts into ``schemas/json/`` (or check for drift).

``python -m schemas.generate`` writes them; ``python -m schemas.generate --check`` exits 1 when a
committed file differs from what the models produce, naming the file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter

from schemas import (
    chat_start,
    connect_lambda,
    contact_events,
    flow_language,
    functions,
    profile,
    records,
    staffing_plan,
)

OUT = Path(__file__).parent / "json"


def models() -> dict[str, type[Any]]:
    """Every published contract, by file stem: pydantic models and the dataclass contracts."""
    found: dict[str, type[Any]] = {
        "connect-lambda-event": connect_lambda.ConnectLambdaEvent,
        "contact-event": contact_events.ContactEvent,
        "flow-document": flow_language.FlowDocument,
        "simulation-profile": profile.SimulationProfile,
        "staffing-plan": staffing_plan.StaffingPlan,
        # the public web chat's start request and answer (functions/handlers/chat_start.py)
        "chat-start-request": chat_start.ChatStartRequest,
        "chat-start-answer": chat_start.ChatStartAnswer,
    }
    for name, (params, response) in functions.CONTRACTS.items():
        stem = name.replace("_", "-")
        found[f"function-{stem}-parameters"] = params
        found[f"function-{stem}-response"] = response
    for record in (
        records.Case,
        records.Appeal,
        records.CallbackRequest,
        records.SurveyResponse,
        records.RoutingRule,
        records.OfficeEntry,
        records.KnowledgeAnswer,
        records.MetricRollup,
    ):
        found["record-" + _kebab(record.__name__)] = record
    return found


def _kebab(name: str) -> str:
    return "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")


def render(model: type[Any]) -> str:
    if isinstance(model, type) and issubclass(model, BaseModel):
        schema = model.model_json_schema(by_alias=True)
    else:
        schema = TypeAdapter(model).json_schema(by_alias=True)
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def generate(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, model in models().items():
        path = out / f"{stem}.schema.json"
        path.write_text(render(model), encoding="utf-8")
        written.append(path)
    return written


def drift(out: Path = OUT) -> list[str]:
    """Names of schema files that are missing, stale or no longer produced."""
    expected = {f"{stem}.schema.json": render(model) for stem, model in models().items()}
    problems = []
    for name, text in expected.items():
        path = out / name
        if not path.exists():
            problems.append(f"{name}: missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{name}: differs from the models")
    for path in sorted(out.glob("*.schema.json")):
        if path.name not in expected:
            problems.append(f"{path.name}: no model produces it")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if "--check" in args:
        problems = drift()
        for problem in problems:
            print(problem)
        if problems:
            print("run `make schemas` to regenerate")
        return 1 if problems else 0
    for path in generate():
        print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

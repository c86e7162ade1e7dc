"""What a simulated day keeps in memory: the tables' items, not every version of them.

Structural, not timed: after a day (still inside its local AWS), every live moto ``Item`` object is
one a table holds. moto's instance register (``BaseModel.instances_tracked``, read only by the
MotoServer dashboard) used to keep every version of every item, every copy made for ``ReturnValues``
and every projection: memory that grew with each contact event (docs/decisions.md).
"""

from __future__ import annotations

import gc
from typing import Any

import pytest

from civicline.sim import day as day_module
from civicline.sim.profiles import load_profile
from civicline.sim.summary import apply_variant

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("simulation-day")]


def _live_and_stored_items() -> tuple[int, int]:
    from moto.backends import get_backend
    from moto.dynamodb.models.dynamo_type import Item

    gc.collect()
    live = sum(1 for obj in gc.get_objects() if type(obj) is Item)
    backend = get_backend("dynamodb")["123456789012"]["us-east-1"]
    stored = sum(len(table.all_items()) for table in backend.tables.values())
    return live, stored


def _day_counting_items(monkeypatch: pytest.MonkeyPatch, calls: int) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    run = day_module.DayRunner.run

    def run_and_count(runner: Any) -> Any:
        result = run(runner)
        seen["live"], seen["stored"] = _live_and_stored_items()
        seen["contacts"] = result.truth.counts["inbound"]
        return result

    monkeypatch.setattr(day_module.DayRunner, "run", run_and_count)
    profile = apply_variant(load_profile("regional-hotline-day"), f"calls={calls}")
    day_module.run_day(profile, 5, hours=2)
    return seen


def test_moto_keeps_only_the_items_its_tables_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a short simulated day (every contact through the flows, the handlers and the aggregator)
    seen = _day_counting_items(monkeypatch, 300)
    assert seen["contacts"] > 20
    # Then the live moto items are the stored ones (a few more may be the last answer's copies)
    assert seen["live"] <= seen["stored"] + 5, seen


def test_the_fast_moto_leaves_moto_as_it_was() -> None:
    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import Item

    from civicline.sim.fastmoto import fast_transactions

    # Given moto's own methods and register
    def installed() -> tuple[Any, ...]:
        backend = DynamoDBBackend
        return (backend.update_item, backend.transact_write_items, ConditionExpressionParser.parse)

    before = installed()
    register = Item.instances_tracked  # type: ignore[attr-defined]
    # When the simulator's fast paths are installed and removed
    with fast_transactions():
        assert DynamoDBBackend.update_item is not before[0]
    # Then moto is exactly as it was
    assert installed() == before
    assert Item.instances_tracked is register  # type: ignore[attr-defined]

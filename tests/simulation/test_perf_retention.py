"""What a simulated day keeps in memory: the tables' items, not every version of them.

Structural, not timed: after a day (still inside its local AWS), every live moto ``Item`` object is
one a table holds. moto's instance register (``BaseModel.instances_tracked``, read only by the
MotoServer dashboard) used to keep every version of every item, every copy made for ``ReturnValues``
and every projection: memory that grew with each contact event (docs/decisions.md).

Flatness is counted, not timed either: two short days of the same seed, one twice as long as the
other, and the growth per contact of what stays alive (Python's live container objects, moto's
stored items, stream records, registered instances) must stay within bounds measured on these
days (docs/decisions.md, "Simulation: peak memory of the full day").
"""

from __future__ import annotations

import gc
from typing import Any

import pytest

from civicline.sim import day as day_module
from civicline.sim.profiles import load_profile
from civicline.sim.scaling import scale_profile

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("simulation-day")]


def _live_and_stored_items() -> tuple[int, int]:
    from moto.backends import get_backend
    from moto.dynamodb.models.dynamo_type import Item

    gc.collect()
    live = sum(1 for obj in gc.get_objects() if isinstance(obj, Item))
    backend = get_backend("dynamodb")["123456789012"]["us-east-1"]
    stored = sum(len(table.all_items()) for table in backend.tables.values())
    return live, stored


def _kept_by_moto() -> dict[str, int]:
    """Stream records moto holds and model instances its register holds, over every table/class."""
    from moto.backends import get_backend
    from moto.core.model_instances import model_data

    backend = get_backend("dynamodb")["123456789012"]["us-east-1"]
    shards = [t.stream_shard for t in backend.tables.values() if t.stream_shard is not None]
    models = [model for by_name in model_data.values() for model in by_name.values()]
    registered = sum(len(getattr(model, "instances_tracked", [])) for model in models)
    return {"stream_records": sum(len(s.items) for s in shards), "registered": registered}


def _day_counting_items(monkeypatch: pytest.MonkeyPatch, calls: int, hours: float = 2) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    run = day_module.DayRunner.run

    def run_and_count(runner: Any) -> Any:
        result = run(runner)
        seen["live"], seen["stored"] = _live_and_stored_items()
        seen["objects"] = len(gc.get_objects())
        seen.update(_kept_by_moto())
        seen["contacts"] = result.truth.counts["inbound"]
        seen["expired"] = result.expired_items
        return result

    base = load_profile("regional-hotline-day")
    with monkeypatch.context() as patched:
        patched.setattr(day_module.DayRunner, "run", run_and_count)
        day_module.run_day(scale_profile(base, calls / base.calls), 5, hours=hours)
    return seen


def test_moto_keeps_only_the_items_its_tables_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a short simulated day (every contact through the flows, the handlers and the aggregator)
    seen = _day_counting_items(monkeypatch, 300)
    assert seen["contacts"] > 20
    # Then the live moto items are the stored ones (a few more may be the last answer's copies)
    assert seen["live"] <= seen["stored"] + 5, seen


#: bounds on what one more contact leaves alive at the end of a short day: measured on these two days
#: after a warm-up day (35.5 live Python container objects alone with the day's plan drawn as it goes
#: and the callers at rest, from 42.3; 43.2 in a worker after the kernel, caller and survey tests,
#: from 45.1 in a worker of the full suite; 2.78 stored moto items per contact, 353 -> 554 contacts;
#: about 100 objects before moto's cold items rested, docs/decisions.md) plus a tenth of the worker's
OBJECTS_PER_CONTACT = 48
ITEMS_PER_CONTACT = 3.0


def test_what_a_day_keeps_grows_within_bounds_per_contact(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given two short days of the same seed, the second with twice the calls, both measured warm: a
    # first day in a fresh process imports modules and fills caches, which would count as (negative or
    # positive) growth depending on what ran in the process before
    _day_counting_items(monkeypatch, 300)
    short = _day_counting_items(monkeypatch, 600)
    longer = _day_counting_items(monkeypatch, 1200)
    more = longer["contacts"] - short["contacts"]
    assert more > 50, (short, longer)
    objects = (longer["objects"] - short["objects"]) / more
    items = (longer["stored"] - short["stored"]) / more
    print(f"per contact: {objects:.1f} live objects, {items:.2f} stored items", short, longer)
    # Then moto keeps no stream record nobody can read and registers no instance while the day runs
    assert longer["stream_records"] == 0, longer
    assert longer["registered"] <= short["registered"], (short, longer)
    # And items whose time to live passed in simulated time were deleted, as DynamoDB's TTL does
    assert longer["expired"] > short["expired"] > 0, (short, longer)
    # And what one more contact leaves alive stays within the bounds measured on these days
    assert objects <= OBJECTS_PER_CONTACT, (objects, short, longer)
    assert items <= ITEMS_PER_CONTACT, (items, short, longer)


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

"""The test and benchmark tables of the moto hot paths: a ``pk`` hash key and a ``sk`` range key.

Why one helper: the twin-table properties (tests/simulation/test_perf_moto*.py, test_perf_mem_cold.py)
and the unit sample of ``benchmarks.phases`` each wrote the same ``CreateTable`` request out; one
definition keeps their tables alike (string keys, on demand, as the day's own tables are).
"""

from __future__ import annotations

from typing import Any


def create_keyed_table(client: Any, name: str, *, index_on: str | None = None, **options: Any) -> None:
    """Create ``name`` with string keys ``pk`` (hash) and ``sk`` (range), billed on demand; with
    ``index_on``, a global secondary index ``by-<attribute>`` hashed on that string attribute
    (projection ALL); any other ``options`` go to ``CreateTable`` as they are (a stream, say)."""
    definitions = [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
    ]
    if index_on is not None:
        definitions.append({"AttributeName": index_on, "AttributeType": "S"})
        options["GlobalSecondaryIndexes"] = [
            {
                "IndexName": f"by-{index_on}",
                "KeySchema": [{"AttributeName": index_on, "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ]
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=definitions,
        BillingMode="PAY_PER_REQUEST",
        **options,
    )

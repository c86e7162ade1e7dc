"""Between cases, ``civicline test`` puts every table back as the demo seed left it: what a case
wrote, changed or deleted does not reach the next case, and a table the case left alone is not
rewritten."""

from __future__ import annotations

from typing import Any

from civicline.conntest.suite import LocalCenter


def _tables(center: LocalCenter) -> dict[str, list[dict[str, Any]]]:
    ddb = center.aws.client("dynamodb")
    out = {}
    for name in ddb.list_tables()["TableNames"]:
        items = ddb.scan(TableName=name)["Items"]
        out[name] = sorted(items, key=repr)
    return out


def _writes(center: LocalCenter) -> list[str]:
    """The names of the write calls made on the run's DynamoDB client from now on."""
    seen: list[str] = []
    center.aws.client("dynamodb").meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: seen.append(model.name)
    )
    return seen


def test_what_a_case_wrote_changed_or_deleted_is_undone_before_the_next_case() -> None:
    with LocalCenter().session() as center:
        # Given the tables as the demo seed leaves them
        center.fresh()
        seeded = _tables(center)
        names = {n.rsplit("-", 1)[-1]: n for n in seeded}
        assert seeded[names["reference"]] and seeded[names["cases"]] and not seeded[names["state"]]
        ddb = center.aws.client("dynamodb")
        # When a case adds a lockout, changes a reference item and deletes a demo case
        ddb.put_item(TableName=names["state"], Item={"pk": {"S": "lockout#x"}, "sk": {"S": "x"}})
        changed = dict(seeded[names["reference"]][0], extra={"S": "written by a case"})
        ddb.put_item(TableName=names["reference"], Item=changed)
        gone = seeded[names["cases"]][0]
        ddb.delete_item(TableName=names["cases"], Key={k: gone[k] for k in center.keys[names["cases"]]})
        # Then the next case starts from exactly the seeded tables
        center.fresh()
        assert _tables(center) == seeded


def test_tables_a_case_left_as_seeded_are_read_but_not_rewritten() -> None:
    with LocalCenter().session() as center:
        # Given seeded tables that a case only read
        center.fresh()
        calls = _writes(center)
        # When the next case's reset runs
        center.fresh()
        # Then it only scanned the tables
        assert calls and set(calls) == {"Scan"}

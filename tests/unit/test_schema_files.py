"""The committed JSON Schema files match the pydantic models."""

from schemas.generate import drift


def test_committed_schema_files_do_not_drift() -> None:
    assert drift() == [], "run `make schemas`"

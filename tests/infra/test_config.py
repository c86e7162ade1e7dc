"""Per-environment configuration: the shipped files load, and mistakes fail with the field named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from infra.config import InfraConfigError, available_environments, load_config


def _write(folder: Path, name: str, data: dict[str, object]) -> None:
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")


def _base() -> dict[str, object]:
    return yaml.safe_load((Path("infra/environments/dev.yaml")).read_text(encoding="utf-8"))


def test_shipped_environments_load() -> None:
    # Given the environment files in the repository
    names = available_environments()
    # When each is loaded
    configs = {name: load_config(name) for name in names}
    # Then dev creates an instance and can be destroyed; prod reuses one and protects its data
    assert {"dev", "prod"} <= set(configs)
    assert configs["dev"].connect.create_instance and not configs["dev"].protect_data
    assert not configs["prod"].connect.create_instance and configs["prod"].protect_data
    assert (
        configs["dev"]
        .powertools_layer.arn("us-east-1", "python3.13")
        .endswith(
            ":layer:AWSLambdaPowertoolsPythonV3-python313-arm64:"
            + str(configs["dev"].powertools_layer.version)
        )
    )


def test_unknown_environment_lists_the_known_ones() -> None:
    with pytest.raises(InfraConfigError, match=r"no environment 'staging'.*known: .*dev"):
        load_config("staging")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["connect"].update(
                existing_instance_arn="arn:aws:connect:us-east-1:111122223333:instance/"
                "11111111-2222-4333-8444-555555555555"
            ),
            "exactly one of",
        ),
        (lambda d: d["connect"].pop("instance_alias"), "exactly one of"),
        (lambda d: d["routing_profiles"][0]["queues"].append({"queue": "nope"}), "unknown queue 'nope'"),
        (lambda d: d.update(log_retention_days=13), "log_retention_days"),
        (lambda d: d["queues"].update(nope={"max_contacts": 3}), "queues.nope"),
        (lambda d: d["phone_numbers"][0].update(flow="customer-queue"), "not a CONTACT_FLOW"),
        (lambda d: d["offices"][0].update(phone="555-0101"), "E.164"),
        (lambda d: d.update(alarm_email="nobody"), "alarm_email"),
        (lambda d: d.update(surprise=True), "surprise"),
        (
            lambda d: d.update(hours={"main": {"weekly": {"MONDAY": ["18:00", "08:00"]}}}),
            "not before closing",
        ),
    ],
    ids=[
        "both-instance-sources",
        "no-instance-source",
        "unknown-queue",
        "bad-retention",
        "unknown-queue-override",
        "phone-to-queue-flow",
        "office-not-e164",
        "bad-email",
        "unknown-field",
        "hours-reversed",
    ],
)
def test_invalid_configuration_is_rejected(tmp_path: Path, change: object, message: str) -> None:
    # Given the dev file with one mistake
    data = _base()
    change(data)  # type: ignore[operator]
    _write(tmp_path, "dev", data)
    # When it is loaded, Then the error names the file and the problem
    with pytest.raises(InfraConfigError, match=message) as caught:
        load_config("dev", tmp_path)
    assert "dev.yaml" in str(caught.value)


def test_hours_override_and_name_mismatch(tmp_path: Path) -> None:
    # Given an override of the main hours
    data = _base()
    data["hours"] = {"main": {"time_zone": "America/Chicago", "weekly": {"SATURDAY": ["09:00", "13:00"]}}}
    _write(tmp_path, "dev", data)
    config = load_config("dev", tmp_path)
    # Then the override replaces the registry's weekly hours
    assert config.weekly_hours("main") == ("America/Chicago", {"SATURDAY": ("09:00", "13:00")})
    # And a file whose name field disagrees with its file name is refused
    data["name"] = "other"
    _write(tmp_path, "dev", data)
    with pytest.raises(InfraConfigError, match="does not match"):
        load_config("dev", tmp_path)

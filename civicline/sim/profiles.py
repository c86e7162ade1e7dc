"""Loading simulation profiles: built-in ones by name, or an agency's own YAML/JSON file.

Why validation beyond the schema: the schema cannot know this deployment's queues, so skill names
are checked here against :data:`infra.registry.QUEUES_BY_NAME` (a typo would silently leave a queue
unstaffed and make the day look worse than it is).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from infra.registry import QUEUES_BY_NAME
from schemas.profile import SimulationProfile

BUILT_IN = Path(__file__).resolve().parent.parent / "profiles"


class ProfileError(ValueError):
    """A profile that cannot be used, with a message for the person who wrote it."""


def built_in_names() -> list[str]:
    return sorted(p.stem for p in BUILT_IN.glob("*.yaml"))


def parse_profile(data: Any, source: str = "profile") -> SimulationProfile:
    try:
        profile = SimulationProfile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(f"{source}: {exc}") from exc
    for group in profile.agents:
        unknown = [s for s in group.skills if s not in QUEUES_BY_NAME]
        if unknown:
            raise ProfileError(
                f"{source}: agent group {group.name!r} has unknown skills {unknown}; "
                f"queues are {sorted(QUEUES_BY_NAME)}"
            )
    return profile


def load_profile(name_or_path: str | Path) -> SimulationProfile:
    """A built-in profile by name (``regional-hotline-day``), or a ``.yaml``/``.yml``/``.json`` file."""
    path = Path(name_or_path)
    if not path.is_file():
        candidate = BUILT_IN / f"{name_or_path}.yaml"
        if not candidate.is_file():
            raise ProfileError(
                f"no profile file or built-in profile {str(name_or_path)!r} ({built_in_names()})"
            )
        path = candidate
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ProfileError(
            f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}"
        ) from exc
    return parse_profile(data, str(path))

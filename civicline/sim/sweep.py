"""Sweeps: many settings x independent replications, with confidence intervals and a cheapest pick.

Why this shape: every (setting, replication) is one task, a pure function of a profile, a mode and a
seed (:func:`run_replication`). Replication r of every setting uses seed ``base_seed + r``: common
random numbers, so settings are compared on the same callers. Because a task's figures depend on
nothing but its inputs, running the tasks one by one, in local worker processes or on a Dask cluster
gives bit-identical figures; the runners only differ in where the function is called.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from multiprocessing import get_context
from typing import Any, Literal

from civicline.sim.confidence import Estimate, estimate
from civicline.sim.scaling import agent_hours, voice_agents, with_calls, with_total_agents
from schemas.profile import SimulationProfile

Mode = Literal["planning", "full"]

#: figures reported per setting: (key, label, kind); service_level is the one the target applies to
FIGURES: tuple[tuple[str, str, str], ...] = (
    ("service_level", "service level", "pct"),
    ("abandonment_rate", "abandonment", "pct"),
    ("asa_seconds", "ASA", "sec"),
    ("occupancy", "occupancy", "pct"),
)

#: variable -> (value kind, modes where it has an effect)
VARIABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "agents": ("int", ("planning", "full")),
    "calls": ("int", ("planning", "full")),
    "patience": ("float", ("planning", "full")),
    "callback": ("switch", ("full",)),
    "acceptance": ("float", ("full",)),
    "virtual_hold_threshold": ("float", ("full",)),
    "notification_uptake": ("float", ("planning", "full")),
}


#: sweep variables that are one profile field each
PROFILE_FIELDS = {
    "virtual_hold_threshold": "virtual_hold_threshold_seconds",
    "notification_uptake": "notification_uptake",
}


class SweepSpecError(ValueError):
    """A ``--vary`` specification that cannot be used (one-line message)."""


@dataclass(frozen=True)
class Variation:
    name: str
    values: tuple[str, ...]


def _range(name: str, text: str, kind: str) -> tuple[str, ...]:
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise SweepSpecError(f"--vary {name}: a range is START:STOP or START:STOP:STEP, got {text!r}")
    try:
        start, stop = Decimal(parts[0]), Decimal(parts[1])
        step = Decimal(parts[2]) if len(parts) == 3 else Decimal(1)
    except InvalidOperation:
        raise SweepSpecError(f"--vary {name}: {text!r} is not a numeric range") from None
    if step <= 0 or stop < start:
        raise SweepSpecError(f"--vary {name}: needs START <= STOP and a positive STEP, got {text!r}")
    count = int((stop - start) / step) + 1
    if count > 500:
        raise SweepSpecError(f"--vary {name}: {count} values is too many (at most 500)")
    if kind == "int" and any(x != x.to_integral_value() for x in (start, step)):
        raise SweepSpecError(f"--vary {name}: takes whole numbers, got {text!r}")
    return tuple(str(start + i * step) for i in range(count))


def _check_value(name: str, kind: str, value: str) -> str:
    if kind == "switch":
        if value not in ("on", "off"):
            raise SweepSpecError(f"--vary {name}: values are on and off, got {value!r}")
        return value
    try:
        number = float(value)
    except ValueError:
        raise SweepSpecError(f"--vary {name}: {value!r} is not a number") from None
    if kind == "int" and number != int(number):
        raise SweepSpecError(f"--vary {name}: takes whole numbers, got {value!r}")
    share = name in ("acceptance", "notification_uptake")
    positive = name in ("calls", "patience", "virtual_hold_threshold")
    if number < 0 or (share and number > 1) or (positive and number <= 0):
        raise SweepSpecError(f"--vary {name}: {value!r} is out of range")
    return str(int(number)) if kind == "int" else value


def parse_vary(spec: str, mode: Mode = "planning") -> Variation:
    """``agents=10:40:2``, ``agents=12,14,16``, ``callback=on,off``, ``patience=180:300:60``."""
    name, sep, text = spec.partition("=")
    name, text = name.strip(), text.strip()
    if not sep or not text:
        raise SweepSpecError(f"--vary is NAME=VALUES (e.g. agents=10:40:2), got {spec!r}")
    if name not in VARIABLES:
        raise SweepSpecError(f"--vary: unknown variable {name!r} (known: {', '.join(VARIABLES)})")
    kind, modes = VARIABLES[name]
    if mode not in modes:
        raise SweepSpecError(f"--vary {name}: only the full day models it (use --mode full)")
    raw = _range(name, text, kind) if ":" in text and kind != "switch" else tuple(text.split(","))
    values = tuple(_check_value(name, kind, v.strip()) for v in raw)
    if len(set(values)) != len(values):
        raise SweepSpecError(f"--vary {name}: repeated values in {text!r}")
    return Variation(name, values)


def apply_setting(profile: SimulationProfile, setting: dict[str, str]) -> SimulationProfile:
    """The profile with one sweep setting applied (pure)."""
    for name, value in setting.items():
        if name == "agents":
            profile = with_total_agents(profile, int(value))
        elif name == "calls":
            profile = with_calls(profile, int(value))
        elif name == "patience":
            profile = profile.model_copy(
                update={"patience": profile.patience.model_copy(update={"mean_seconds": float(value)})}
            )
        elif name == "callback":
            profile = profile.model_copy(
                update={"callbacks": profile.callbacks.model_copy(update={"virtual_hold": value == "on"})}
            )
        elif name == "acceptance":
            profile = profile.model_copy(
                update={"callbacks": profile.callbacks.model_copy(update={"acceptance": float(value)})}
            )
        elif name in PROFILE_FIELDS:
            profile = profile.model_copy(update={PROFILE_FIELDS[name]: float(value)})
    return SimulationProfile.model_validate(profile.model_dump(mode="json"))


def settings(variations: Sequence[Variation]) -> list[dict[str, str]]:
    """Every combination of the variations' values, first variation slowest."""
    names = [v.name for v in variations]
    if len(set(names)) != len(names):
        raise SweepSpecError(f"--vary names a variable twice: {names}")
    return [
        dict(zip(names, combo, strict=True)) for combo in itertools.product(*(v.values for v in variations))
    ]


@dataclass(frozen=True)
class ReplicationTask:
    """One simulated day: picklable, and all its figures depend on."""

    setting: int
    replication: int
    profile: dict[str, Any]
    mode: Mode
    seed: int
    target_seconds: float


def _figure(value: Any) -> float:
    return math.nan if value is None else float(value)


def run_replication(task: ReplicationTask) -> dict[str, float]:
    """The figures of one day (planning queue or full day): the one function every runner calls."""
    profile = SimulationProfile.model_validate(task.profile)
    if task.mode == "planning":
        from civicline.sim.dayqueue import simulate_day_queue

        day = simulate_day_queue(profile, task.seed, task.target_seconds)
        return {key: float(getattr(day, key)) for key, _, _ in FIGURES}
    from civicline.sim.day import run_day
    from civicline.sim.summary import summarize

    summary = summarize(run_day(profile, task.seed), profile)
    # the calls are what agents and plans are swept for: voice's figures when the day has channels
    metrics = summary["channels"].get("VOICE", summary["metrics"])
    return {
        "service_level": _figure(metrics.get("answered_within_threshold_rate")),
        "abandonment_rate": _figure(metrics.get("abandonment_rate")),
        "asa_seconds": _figure(metrics.get("asa_seconds")),
        "occupancy": _figure(summary["truth"].get("occupancy")),
    }


Runner = Callable[[list[ReplicationTask]], list[dict[str, float]]]


def serial_runner(tasks: list[ReplicationTask]) -> list[dict[str, float]]:
    return [run_replication(t) for t in tasks]


def process_runner(workers: int) -> Runner:
    """Tasks in ``workers`` local processes (spawned: no inherited threads or moto state)."""

    def run(tasks: list[ReplicationTask]) -> list[dict[str, float]]:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            return list(pool.map(run_replication, tasks, chunksize=max(1, len(tasks) // (workers * 4))))

    return run


def dask_runner(scheduler: str) -> Runner:
    """Tasks on an existing Dask distributed cluster at ``scheduler`` (``tcp://host:8786``)."""

    def run(tasks: list[ReplicationTask]) -> list[dict[str, float]]:
        try:
            from distributed import Client
        except ImportError:
            raise SweepSpecError("--scheduler needs Dask distributed: install civicline[cluster]") from None
        with Client(scheduler, timeout="10s") as client:  # type: ignore[no-untyped-call]
            futures = client.map(run_replication, tasks, pure=False)
            results: list[dict[str, float]] = client.gather(futures)
            return results

    return run


def choose_runner(workers: int | None, scheduler: str | None) -> Runner:
    if scheduler:
        return dask_runner(scheduler)
    count = workers if workers is not None else (os.cpu_count() or 1)
    if count < 1:
        raise SweepSpecError("--workers must be >= 1")
    return serial_runner if count == 1 else process_runner(count)


@dataclass(frozen=True)
class SettingResult:
    setting: dict[str, str]
    agents: int
    agent_hours: float
    values: dict[str, list[float]]
    estimates: dict[str, Estimate]
    meets_target: bool


@dataclass
class SweepResult:
    profile: str
    mode: Mode
    replications: int
    base_seed: int
    target_sl: float
    target_seconds: float
    rows: list[SettingResult] = field(default_factory=list)

    @property
    def cheapest(self) -> SettingResult | None:
        """The setting with the fewest agent-hours whose service level meets the target with
        confidence (lower 95 % bound >= target)."""
        meeting = [r for r in self.rows if r.meets_target]
        return min(meeting, key=lambda r: r.agent_hours) if meeting else None


def _estimates(values: dict[str, list[float]]) -> dict[str, Estimate]:
    out = {}
    for key, series in values.items():
        finite = [v for v in series if math.isfinite(v)]
        out[key] = estimate(finite) if finite else Estimate(math.nan, math.nan, math.nan, 0, 0.95)
    return out


def run_sweep(
    profile: SimulationProfile,
    variations: Sequence[Variation],
    *,
    replications: int,
    base_seed: int,
    mode: Mode,
    target_sl: float,
    target_seconds: float,
    runner: Runner,
) -> SweepResult:
    """Run every setting ``replications`` times with common random numbers and summarise."""
    if replications < 2:
        raise SweepSpecError("--replications must be >= 2 (a confidence interval needs two)")
    combos = settings(variations) if variations else [{}]
    shaped = [apply_setting(profile, s) for s in combos]
    tasks = [
        ReplicationTask(i, r, p.model_dump(mode="json"), mode, base_seed + r, target_seconds)
        for i, p in enumerate(shaped)
        for r in range(replications)
    ]
    figures = runner(tasks)
    result = SweepResult(profile.name, mode, replications, base_seed, target_sl, target_seconds)
    for i, (setting, shaped_profile) in enumerate(zip(combos, shaped, strict=True)):
        mine = [f for t, f in zip(tasks, figures, strict=True) if t.setting == i]
        values = {key: [f[key] for f in mine] for key, _, _ in FIGURES}
        est = _estimates(values)
        meets = math.isfinite(est["service_level"].low) and est["service_level"].low >= target_sl
        result.rows.append(
            SettingResult(
                setting, voice_agents(shaped_profile), agent_hours(shaped_profile), values, est, meets
            )
        )
    return result


def flatten(rows: Iterable[SettingResult]) -> list[dict[str, Any]]:
    """One JSON/CSV-ready record per setting."""
    out = []
    for row in rows:
        record: dict[str, Any] = {
            **row.setting,
            "agents_total": row.agents,
            "agent_hours": round(row.agent_hours, 2),
        }
        for key, _, _ in FIGURES:
            e = row.estimates[key]
            record.update({f"{key}_mean": e.mean, f"{key}_low": e.low, f"{key}_high": e.high})
        record["meets_target"] = row.meets_target
        out.append(record)
    return out

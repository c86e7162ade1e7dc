"""The day's summary: the aggregator's rollups (what an analyst would see) beside the simulator's truth.

Why both: the headline figures come from the metric rollups the real aggregator built from the
contact events, so the summary shows what production dashboards would show; the simulator's own
counts (truth) sit beside them, and any difference between the two is a finding, not noise.
"""

from __future__ import annotations

import math
from typing import Any

from civicline.sim.day import DayResult
from functions.domain.metrics_registry import BY_NAME, CHANNEL_PREFIX, COUNTER_NAMES, COUNTERS, kind_of
from functions.domain.metrics_registry import HEADLINE as HEADLINE_NAMES
from schemas import codec
from schemas.profile import SimulationProfile

#: (key, label, kind) of the headline rows, in print order (kind: n = count, pct, sec, score), from
#: the measure registry
HEADLINE: tuple[tuple[str, str, str], ...] = tuple(
    (name, BY_NAME[name].label, kind_of(name)) for name in HEADLINE_NAMES
)


def run_row(result: DayResult) -> Any | None:
    """The ALL-queues rollup of the run: its day row, or, when the run spans days (it opens with
    e-mails that arrived the evening before, counted in the intervals they arrived in, as the
    aggregator counts them), the sum of its day rows with the registry's ratios over the sum."""
    from civicline.metrics.queries import to_row

    rows = [row for row in result.day_rows if row.rollup.queue == "ALL"]
    if len(rows) <= 1:
        return rows[0] if rows else None
    summed: dict[str, float] = {}
    for row in rows:
        for name, value in row.counters().items():
            summed[name] = summed.get(name, 0.0) + value
    first = rows[0].rollup
    raw = {
        "queue": "ALL",
        "grain": first.grain.value,
        "period": f"{first.period}..{rows[-1].rollup.period}",
        "period_start": first.period_start.isoformat(),
        "counters": summed,
    }
    return to_row(raw)


def headline(result: DayResult) -> dict[str, float | int | None]:
    """The run's ALL-queues rollup (:func:`run_row`): counters and derived ratios, by name."""
    row = run_row(result)
    if row is None:
        return {}
    counters = {k: v for k, v in codec.dump(row.rollup).items() if isinstance(v, int)}
    return {**counters, **row.ratios}


def drift(
    baseline: dict[tuple[str, str, str], dict[str, int]], other: dict[tuple[str, str, str], dict[str, int]]
) -> dict[str, int]:
    """How far two runs' rollups are apart: cells (queue, grain, period, counter) that differ, and
    the sum of absolute differences. Zero and zero mean identical metrics."""
    cells = 0
    total = 0
    for key in set(baseline) | set(other):
        a, b = baseline.get(key, {}), other.get(key, {})
        for name in set(a) | set(b):
            diff = abs(a.get(name, 0) - b.get(name, 0))
            if diff:
                cells += 1
                total += diff
    return {"cells_differing": cells, "absolute_difference": total}


def truth_measures(result: DayResult) -> dict[str, int]:
    """The registry counters of what really happened: contact rules over the simulator's cases,
    first/repeat contacts over the callers' calls, and the surveys the survey function stored
    (answered ones are responses; declined ones too are offers)."""
    counts = result.truth.counts
    surveys = counts.get("surveys_complete", 0) + counts.get("surveys_partial", 0)
    offered = surveys + counts.get("surveys_declined", 0)
    return {**result.truth_counters, "survey_responses": surveys, "surveys_offered": offered}


#: per channel, the counters the truth knows by channel (contacts and callers; surveys and
#: notifications are compared in total only)
BY_CHANNEL = tuple(c.name for c in COUNTERS if c.entity in ("contact", "caller"))


def reconcile(metrics: dict[str, Any], truth: dict[str, int]) -> dict[str, dict[str, int]]:
    """Every registry counter (in total, and per channel: ``ch|CHAT|offered``) on which the
    aggregator and the truth disagree (empty: they agree)."""
    out = {}
    channels = sorted({k.split("|")[1] for k in (*metrics, *truth) if k.startswith(CHANNEL_PREFIX)})
    names = [n for n in COUNTER_NAMES if n not in ("fcr_survey_responses", "fcr_survey_yes")]
    names += [f"{CHANNEL_PREFIX}{ch}|{n}" for ch in channels for n in BY_CHANNEL]
    for name in names:
        got, want = int(metrics.get(name) or 0), int(truth.get(name, 0))
        if got != want:
            out[name] = {"metrics": got, "truth": want}
    return out


def backlog_difference(result: DayResult) -> dict[str, dict[str, int]]:
    """The e-mails waiting at the end as the rollups say (the backlog definition the dashboard and
    the CloudWatch function read: received, neither answered nor closed, per interval) against the
    simulator's count; empty when they agree or the run had no e-mail."""
    from civicline.metrics.channels import interval_emails

    if not result.truth.counts.get("email_arrivals"):
        return {}
    got = sum(interval_emails(row).waiting for row in result.interval_rows)
    want = result.truth.counts.get("email_backlog", 0)
    return {} if got == want else {"email_backlog": {"metrics": got, "truth": want}}


def channel_measures(result: DayResult) -> dict[str, dict[str, Any]]:
    """The run's ALL-queues rollup per channel: counters and ratios, by channel then name."""
    row = run_row(result)
    if row is None:
        return {}
    return {ch: _clean(values) for ch, values in row.channels().items()}


def summarize(result: DayResult, profile: SimulationProfile) -> dict[str, Any]:
    """Everything worth keeping from a run, JSON-ready."""
    truth = result.truth.counts
    simulate = result.timings.get("simulate", 0.0)
    total = sum(result.timings.values())
    busy = sum(a.busy_seconds for a in result.agents)
    staffed = sum(max(0.0, a.shift_end - a.shift_start) for a in result.agents)
    metrics = _clean(headline(result))
    measures = truth_measures(result)
    channels = channel_measures(result)
    flat = {f"{CHANNEL_PREFIX}{ch}|{k}": v for ch, values in channels.items() for k, v in values.items()}
    offerable = truth.get("surveys_offerable", 0)
    responses = measures["survey_responses"]
    return {
        "profile": result.profile,
        "seed": result.seed,
        "day": profile.day.isoformat(),
        "faults": result.faults.describe(),
        "metrics": metrics,
        "channels": channels,
        "truth": {
            **dict(sorted(truth.items())),
            **{k: v for k, v in measures.items() if not k.startswith(CHANNEL_PREFIX)},
            "asa_seconds": result.truth.answer_wait_sum / measures["answered"]
            if measures.get("answered")
            else None,
            "agents": len(result.agents),
            "occupancy": busy / staffed if staffed else None,
            "overtime_hours": round(sum(a.overtime_seconds for a in result.agents) / 3600, 2),
            # responses over the surveys that could be offered (the agent ended the call with the
            # customer on the line); the metrics' survey_response_rate is over surveys offered
            "survey_response_rate_of_offerable": responses / offerable if offerable else None,
        },
        "reconciliation": {**reconcile({**metrics, **flat}, measures), **backlog_difference(result)},
        "drill": {
            "dropped_without_service": truth.get("dropped", 0),
            "callbacks_lost": truth.get("callbacks_lost", 0),
            "dropped": result.truth.dropped[:20],
            "lost_callbacks": result.truth.lost_callbacks[:20],
            "injected": result.injected,
            "retry_backoff_skipped_seconds": round(result.backoff_skipped_seconds, 1),
        },
        "performance": {
            "contacts": truth.get("inbound", 0),
            "events": len(result.events),
            "events_delivered": result.delivered_events,
            "engine_runs": result.engine_runs,
            "lambda_calls": result.lambda_calls,
            "seconds": {k: round(v, 2) for k, v in result.timings.items()},
            "contacts_per_second": round(truth.get("inbound", 0) / total, 1) if total else None,
            "simulated_contacts_per_second": round(truth.get("inbound", 0) / simulate, 1)
            if simulate
            else None,
        },
    }


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in values.items()}


def fmt(value: Any, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "pct":
        return f"{float(value) * 100:.1f} %"
    if kind == "sec":
        return f"{float(value):.1f} s"
    if kind == "score":
        return f"{float(value):.2f} / 5"
    return f"{int(value):,}"


#: the per-channel rows of the day's summary: (key in the channel's measures, label, kind)
CHANNEL_ROWS = (
    ("inbound_contacts", "Inbound contacts", "n"),
    ("offered", "Offered to a queue", "n"),
    ("answered", "Answered by an agent", "n"),
    ("abandoned", "Abandoned", "n"),
    ("service_level", "Service level", "pct"),
    ("asa_seconds", "Average speed of answer", "sec"),
    ("emails_received", "E-mails received", "n"),
    ("email_answered_within_24h_rate", "E-mail answered within 24 h", "pct"),
)


def channel_rows(summary: dict[str, Any]) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """(channels, [(label, one cell per channel)]): the day by channel (the aggregator's measures)
    and the e-mail backlog the day left (the simulator's count and the oldest one's age)."""
    channels = summary["channels"]
    names = list(channels)
    rows = [
        (label, [fmt(channels[ch].get(key), kind) for ch in names])
        for key, label, kind in CHANNEL_ROWS
        if any(key in values for values in channels.values())
    ]
    if "EMAIL" in channels:
        truth = summary["truth"]
        age = truth.get("email_backlog_age_seconds")
        backlog = fmt(truth.get("email_backlog", 0), "n")
        opened = fmt(truth.get("email_backlog_at_open", 0), "n")
        opened_age = truth.get("email_backlog_age_at_open_seconds")
        for label, cell in (
            ("E-mail backlog at opening", opened),
            ("Oldest waiting e-mail's age at opening", _hours(opened_age)),
            ("E-mail backlog at the end", backlog),
            ("Oldest waiting e-mail's age", _hours(age)),
        ):
            rows.append((label, [cell if ch == "EMAIL" else "-" for ch in names]))
    return names, rows


def _hours(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 3600:.1f} h"


def apply_variant(profile: SimulationProfile, variant: str) -> SimulationProfile:
    """A what-if change to a profile: ``virtual-hold=off``, ``agents=+3`` / ``-2`` / ``x1.2``,
    ``calls=x1.3`` / ``2500``, ``patience=180``, ``acceptance=0.6``, ``notifications=on`` / ``0.3``."""
    name, _, value = variant.partition("=")
    name, value = name.strip(), value.strip()
    if not value:
        raise ValueError(f"a variant is NAME=VALUE, got {variant!r}")
    if name == "virtual-hold":
        if value not in ("on", "off"):
            raise ValueError("virtual-hold=on|off")
        callbacks = profile.callbacks.model_copy(update={"virtual_hold": value == "on"})
        return profile.model_copy(update={"callbacks": callbacks})
    if name == "agents":
        groups = []
        for group in profile.agents:
            if value.startswith("x"):
                count = max(0, round(group.count * float(value[1:])))
            else:
                count = max(0, group.count + int(value))
            groups.append(group.model_copy(update={"count": count}))
        return profile.model_copy(update={"agents": groups})
    if name == "calls":
        calls = round(profile.calls * float(value[1:])) if value.startswith("x") else int(value)
        return profile.model_copy(update={"calls": max(1, calls)})
    if name == "patience":
        return profile.model_copy(
            update={"patience": replace_model(profile.patience, mean_seconds=float(value))}
        )
    if name == "notifications":
        return profile.model_copy(update={"notification_uptake": notification_uptake(profile, value)})
    if name == "acceptance":
        return profile.model_copy(
            update={"callbacks": replace_model(profile.callbacks, acceptance=float(value))}
        )
    raise ValueError(
        f"unknown variant {name!r} (virtual-hold, agents, calls, patience, acceptance, notifications)"
    )


#: ``notifications=on`` when the profile names no uptake of its own: half of the consenting
#: case-status callers no longer call (an assumption to replace with the agency's own figure)
DEFAULT_NOTIFICATION_UPTAKE = 0.5


def notification_uptake(profile: SimulationProfile, value: str) -> float:
    """``notifications=on|off|SHARE``: the uptake of status notifications in the variant."""
    if value == "off":
        return 0.0
    if value == "on":
        return profile.notification_uptake or DEFAULT_NOTIFICATION_UPTAKE
    try:
        share = float(value)
    except ValueError:
        share = -1.0
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"notifications=on|off|a share between 0 and 1, got {value!r}")
    return share


def replace_model(model: Any, **changes: Any) -> Any:
    """A validated copy of a pydantic model with ``changes``."""
    return type(model).model_validate({**model.model_dump(), **changes})

"""One full-fidelity simulated day in this process, as JSON on stdout (``python -m benchmarks.dayrun``).

Run by bench_simulation in a subprocess, so that the day's peak memory is the process's own maximum
resident set (VmHWM, see :func:`peak_rss_mb`), measured, not extrapolated. The same process first
measures the unit of cost, one moto DynamoDB ``PutItem`` through boto3, and counts every AWS call
the day makes (a botocore ``before-call`` hook on every client created), per operation.

``python -m benchmarks.dayrun CALLS [--profile NAME] [--seed N] [--cprofile FILE]``: the profile is
scaled to CALLS with its staffing (``civicline simulate --scale``), so the day stays realistic.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

WRITES = 300


def put_item_seconds(clock: Callable[[], float] = time.perf_counter) -> float:
    """The floor: the mean time of one moto DynamoDB PutItem through a boto3 client (wall time, or
    ``clock=time.process_time`` for this process's CPU time, steadier on a machine shared with other
    work)."""
    import boto3

    from civicline.local.aws import LocalAws

    with LocalAws(prefix="bench-floor") as aws:
        # a session of its own, dropped on return: boto3's default session would keep a copy of
        # botocore's endpoint data (about 7 MB) in the day's process for the whole day
        ddb = boto3.session.Session().client("dynamodb")
        table = aws.table("state")
        ddb.put_item(TableName=table, Item={"pk": {"S": "warm"}, "sk": {"S": "up"}})
        started = clock()
        for i in range(WRITES):
            ddb.put_item(TableName=table, Item={"pk": {"S": f"k{i}"}, "sk": {"S": "s"}, "n": {"N": str(i)}})
        return (clock() - started) / WRITES


def count_aws_calls() -> Counter[str]:
    """Count every API call of every botocore client created from now on (before-call hook)."""
    from botocore.session import Session

    calls: Counter[str] = Counter()
    create = Session.create_client

    def counted(self: Session, *args: Any, **kwargs: Any) -> Any:
        client = create(self, *args, **kwargs)
        service = client.meta.service_model.service_name

        def before_call(model: Any, **_: Any) -> None:
            calls[f"{service}.{model.name}"] += 1

        client.meta.events.register("before-call.*.*", before_call)
        return client

    Session.create_client = counted  # type: ignore[method-assign]
    return calls


def rss_mb() -> float:
    """This process's resident set now (VmRSS, Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def peak_rss_mb() -> float:
    """This process's peak resident set: VmHWM of its own address space (Linux), else ru_maxrss.

    Why not ru_maxrss alone: Linux carries it across ``execve``, so a day started by a large parent
    (``make bench`` after the other benchmarks) would report the parent's peak, not its own."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("calls", type=int)
    parser.add_argument("--profile", default="regional-hotline-day")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cprofile", default=None)
    args = parser.parse_args()

    from civicline.sim import scaling
    from civicline.sim.day import run_day
    from civicline.sim.profiles import load_profile

    floor = put_item_seconds()
    cpu_floor = put_item_seconds(time.process_time)
    base = load_profile(args.profile)
    profile = scaling.scale_profile(base, args.calls / base.calls)
    calls = count_aws_calls()
    profiler = None
    if args.cprofile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    before_day = rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    result = run_day(profile, args.seed)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    day_peak = peak_rss_mb()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.cprofile)
    contacts = result.truth.counts["inbound"]
    from civicline.sim.summary import summarize

    summary = summarize(result, profile)
    # the day's peak (the day and its summary), read before the unit is measured again: that
    # measurement's own local AWS and client are the benchmark's, not the day's
    process_peak = peak_rss_mb()
    print(
        json.dumps(
            {
                "profile": profile.name,
                "calls": args.calls,
                "agents": len(result.agents),
                "contacts": contacts,
                "events": len(result.events),
                "floor_seconds": floor,
                "floor_after_seconds": put_item_seconds(),
                "peak_with_the_unit_after_mb": peak_rss_mb(),
                "wall_seconds": wall,
                "cpu_floor_seconds": cpu_floor,
                "cpu_seconds": cpu,
                "timings": result.timings,
                "max_rss_mb": process_peak,
                "rss_before_day_mb": before_day,
                "peak_after_day_mb": day_peak,
                "expired_items": result.expired_items,
                "rested_items": result.rested_items,
                "aws_calls": dict(calls.most_common()),
                "level_of_service": summary["metrics"].get("level_of_service"),
                "reconciliation": summary["reconciliation"],
                "engine_runs": result.engine_runs,
                "lambda_calls": result.lambda_calls,
            }
        )
    )


if __name__ == "__main__":
    main()

"""A simulated day's rollups as a file in its ``--out`` folder, readable like the metrics table.

Why: after ``make demo`` an analyst wants ``civicline metrics show|export-a11|dashboard`` on that day
without AWS credentials or a running moto; ``--from-dir out/demo`` reads ``rollups.json`` instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from functions.domain.metrics import Rules, period_start

ROLLUPS_FILE = "rollups.json"


def rollups_text(rollups: Mapping[tuple[str, str, str], Mapping[str, int]], rules: Rules) -> str:
    """Every rollup (queue, grain, period, counters by registry key) and the rules they were made with."""
    items = [
        {"queue": q, "grain": g, "period": p, "counters": dict(sorted(c.items()))}
        for (q, g, p), c in sorted(rollups.items())
    ]
    return json.dumps({"rules": asdict(rules), "rollups": items}, indent=1, sort_keys=True) + "\n"


class FileRollups:
    """The read side of :class:`~functions.adapters.metrics_dynamo.DynamoMetricsStore` over a file."""

    def __init__(self, rows: list[dict[str, Any]], rules: Rules) -> None:
        self.rows = rows
        self.rules = rules

    @classmethod
    def load(cls, folder: Path) -> FileRollups:
        path = folder / ROLLUPS_FILE
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found: run `civicline simulate ... --out {folder}` first")
        data = json.loads(path.read_text(encoding="utf-8"))
        rules = Rules(**data["rules"])
        rows = [
            {**item, "period_start": period_start(item["period"], item["grain"], rules.tz).isoformat()}
            for item in data["rollups"]
        ]
        return cls(rows, rules)

    def query_rollups(
        self, queue: str, grain: str, start: str | None = None, end: str | None = None
    ) -> list[dict[str, Any]]:
        """Rows of one queue and grain, ``start <= period <= end``, oldest first (as the table's query)."""
        return sorted(
            (
                r
                for r in self.rows
                if r["queue"] == queue
                and r["grain"] == grain
                and (start is None or r["period"] >= start)
                and (end is None or r["period"] <= end)
            ),
            key=lambda r: str(r["period"]),
        )

    def rollup_queues(self) -> list[str]:
        return sorted({str(r["queue"]) for r in self.rows})

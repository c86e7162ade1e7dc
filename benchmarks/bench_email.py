"""E-mail classifier accuracy on the shipped labelled set, beside the everything-to-general baseline.

The set (civicline/data/email_samples.jsonl, English and Spanish, every e-mail topic, hard cases
included) is split once by a hash of each message: ``tune`` is what the terms may be adjusted
against, ``heldout`` is never looked at while tuning. Both are printed; a gap between them is the
sign of terms fitted to their examples. Figures are exact (no timing), so they can be compared
between runs.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from functions.domain.email_terms import GENERAL, TERMS_VERSION, TOPICS
from functions.domain.email_triage import classify

DATA = Path(__file__).resolve().parents[1] / "civicline" / "data"
SAMPLES = DATA / "email_samples.jsonl"
#: e-mails written apart from the terms (other wording, typos, quoted replies, signatures, HTML,
#: forwards, mixed language); never used to tune them, printed on their own
HELDOUT = DATA / "email_heldout.jsonl"
LABELS = tuple(t.topic for t in TOPICS)


@dataclass(frozen=True)
class Evaluation:
    split: str
    total: int
    correct: int
    baseline_correct: int
    confusion: Counter[tuple[str, str]]

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def baseline(self) -> float:
        return self.baseline_correct / self.total if self.total else 0.0


def samples(path: Path = SAMPLES) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(split: str | None = None, path: Path = SAMPLES) -> Evaluation:
    """Accuracy and confusion (label, predicted) on one split of ``path`` (None: all its rows)."""
    rows = [s for s in samples(path) if split is None or s.get("split") == split]
    confusion: Counter[tuple[str, str]] = Counter()
    for row in rows:
        predicted = classify(row["subject"], row["body"], row.get("content_type", "")).topic.topic
        confusion[row["label"], predicted] += 1
    correct = sum(n for (label, predicted), n in confusion.items() if label == predicted)
    baseline = sum(1 for row in rows if row["label"] == GENERAL)
    return Evaluation(
        split or ("all" if path == SAMPLES else path.stem), len(rows), correct, baseline, confusion
    )


def _matrix(result: Evaluation) -> str:
    short = [label[:6] for label in LABELS]
    lines = [f"{'label/predicted':>18} " + " ".join(f"{s:>6}" for s in short)]
    for label in LABELS:
        counts = [result.confusion.get((label, p), 0) for p in LABELS]
        lines.append(f"{label:>18} " + " ".join(f"{c or '.':>6}" for c in counts))
    return "\n".join(lines)


def run() -> None:
    print(f"terms version {TERMS_VERSION}; {len(samples())} labelled e-mails (en + es)")
    print(f"{'split':>8} {'n':>4} {'accuracy':>9} {'baseline (all to general)':>26}")
    for split in ("tune", "heldout", None):
        result = evaluate(split)
        print(f"{result.split:>8} {result.total:>4} {result.accuracy:>9.1%} {result.baseline:>26.1%}")
    for split in ("tune", "heldout"):
        print(f"\nconfusion matrix, {split} split (rows: label, columns: predicted)")
        print(_matrix(evaluate(split)))
    apart = evaluate(path=HELDOUT)
    print(
        f"\nheld-out file {HELDOUT.name}: {apart.total} e-mails written apart from the terms, never tuned on"
    )
    wrong_office = sum(
        n for (label, predicted), n in apart.confusion.items() if predicted not in {label, GENERAL}
    )
    print(f"{'':>8} {'n':>4} {'accuracy':>9} {'baseline (all to general)':>26} {'to a wrong office':>18}")
    print(f"{'':>8} {apart.total:>4} {apart.accuracy:>9.1%} {apart.baseline:>26.1%} {wrong_office:>18}")
    print(_matrix(apart))


if __name__ == "__main__":
    run()

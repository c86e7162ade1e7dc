"""The single Logger and Metrics objects every function uses.

* JSON logs through Powertools, with every record passed through :func:`mask_pii` so phone numbers
  and PINs never reach CloudWatch in clear. Event logging stays off.
* The correlation id is the Connect ``ContactId`` (set by the handler helpers in ``connect``).
* Metrics are CloudWatch EMF in the ``CivicLine`` namespace. No Tracer on the caller's path: its import
  alone costs about half a second of cold start (see docs/decisions.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from functions.core.privacy import mask_pii

if TYPE_CHECKING:
    from functions.domain.metrics_cloudwatch import MetricSet

SERVICE = "civicline"
NAMESPACE = "CivicLine"


class MaskingFormatter(LambdaPowertoolsFormatter):
    """Powertools JSON formatter that masks personal data in every field of every record."""

    def serialize(self, log: Any) -> str:
        return super().serialize(mask_pii(log))


logger = Logger(service=SERVICE, logger_formatter=MaskingFormatter(), log_uncaught_exceptions=True)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def publish_metric_sets(sets: list[MetricSet]) -> None:
    """One EMF document per metric set (dimensions service + the set's own, e.g. Channel or Queue).
    Powertools keeps one dimension set per Metrics object, so each set gets its own short-lived one,
    flushed at once. EMF is written to the function's log: CloudWatch extracts the metrics, no
    PutMetricData call or grant. Shared by the aggregator and the e-mail backlog function."""
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

    for metric_set in sets:
        emf = EphemeralMetrics(namespace=NAMESPACE, service=SERVICE)
        for name, value in metric_set.dimensions:
            emf.add_dimension(name=name, value=value)
        for metric in metric_set.metrics:
            emf.add_metric(name=metric.name, unit=MetricUnit(metric.unit), value=metric.value)
        emf.flush_metrics()

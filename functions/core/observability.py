"""The single Logger and Metrics objects every function uses.

* JSON logs through Powertools, with every record passed through :func:`mask_pii` so phone numbers
  and PINs never reach CloudWatch in clear. Event logging stays off.
* The correlation id is the Connect ``ContactId`` (set by the handler helpers in ``connect``).
* Metrics are CloudWatch EMF in the ``CivicLine`` namespace. No Tracer on the caller's path: its import
  alone costs about half a second of cold start (see docs/decisions.md).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from functions.core.privacy import mask_pii

SERVICE = "civicline"
NAMESPACE = "CivicLine"


class MaskingFormatter(LambdaPowertoolsFormatter):
    """Powertools JSON formatter that masks personal data in every field of every record."""

    def serialize(self, log: Any) -> str:
        return super().serialize(mask_pii(log))


logger = Logger(service=SERVICE, logger_formatter=MaskingFormatter(), log_uncaught_exceptions=True)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

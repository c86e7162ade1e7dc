"""The local Amazon Connect engine: Flow-language loading, validation and interpretation.

The public API (engine-api.md) is re-exported here; everything else is an implementation module.
"""

from __future__ import annotations

from civicline.engine.center import ContactCenterView, QueueMetrics, StaticCenter
from civicline.engine.contact import ContactState
from civicline.engine.interpreter import Engine
from civicline.engine.invoker import LambdaInvoker, LambdaOutcome
from civicline.engine.library import FlowLibrary, FlowLoadError, LoadedFlow, OldFormatError
from civicline.engine.observer import (
    ActionStarted,
    EngineObserver,
    NoObserver,
    error_outcome,
    lambda_outcome,
)
from civicline.engine.outcome import Outcome
from civicline.engine.result import CallerScript, CallResult

__all__ = [
    "ActionStarted",
    "CallResult",
    "CallerScript",
    "ContactCenterView",
    "ContactState",
    "Engine",
    "EngineObserver",
    "FlowLibrary",
    "FlowLoadError",
    "LambdaInvoker",
    "LambdaOutcome",
    "LoadedFlow",
    "NoObserver",
    "OldFormatError",
    "Outcome",
    "QueueMetrics",
    "StaticCenter",
    "error_outcome",
    "lambda_outcome",
]

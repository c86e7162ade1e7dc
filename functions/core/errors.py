"""Typed errors shared by every function.

Two families, because Connect treats them differently:

* :class:`Outcome` subclasses are *expected* outcomes (bad caller input, no such record, a lockout).
  Handlers turn them into a STRING_MAP value such as ``{"result": "NOT_FOUND"}`` that the flow branches
  on; they are never raised out of a handler.
* :class:`DependencyError` and :class:`ConfigurationError` are unexpected. They propagate, the Lambda
  fails, Connect retries and then takes the ``NoMatchingError`` branch, and the flow still serves the
  caller (an agent queue or a spoken message).
"""

from __future__ import annotations

from enum import StrEnum


class Result(StrEnum):
    """The typed results every Connect-facing function may return besides its success values."""

    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    LOCKED = "LOCKED"
    UNAVAILABLE = "UNAVAILABLE"


class CivicLineError(Exception):
    """Base of every error raised by CivicLine code."""


class Outcome(CivicLineError):
    """An expected, typed outcome that a handler maps to ``{"result": <result>}``."""

    result: Result = Result.INVALID_INPUT

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason or self.result.value)
        self.reason = reason


class InvalidInput(Outcome):
    result = Result.INVALID_INPUT


class NotFound(Outcome):
    result = Result.NOT_FOUND


class Locked(Outcome):
    result = Result.LOCKED


class Unavailable(Outcome):
    result = Result.UNAVAILABLE


class DependencyError(CivicLineError):
    """A dependency (DynamoDB, EventBridge, Connect) failed: raise so the flow takes its error branch."""


class ConfigurationError(CivicLineError):
    """A required setting is missing or malformed (detected lazily, on first use)."""

"""Transient DynamoDB failures and the bounded, jittered retry (pure: no AWS)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from hypothesis import given
from hypothesis import strategies as st

from functions.adapters.transient import Contention, RetryBudget, is_transient, retry_within
from functions.domain.callbacks import dialable


def _error(code: str, reasons: list[str] | None = None) -> ClientError:
    response: dict[str, object] = {"Error": {"Code": code, "Message": "x"}}
    if reasons is not None:
        response["CancellationReasons"] = [{"Code": r} for r in reasons]
    return ClientError(response, "TransactWriteItems")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (_error("TransactionCanceledException", ["None", "TransactionConflict"]), True),
        (_error("TransactionCanceledException", ["ThrottlingError", "None"]), True),
        (_error("TransactionCanceledException", ["ProvisionedThroughputExceeded"]), True),
        (_error("TransactionCanceledException", ["ConditionalCheckFailed", "None"]), False),
        (_error("TransactionCanceledException", ["ValidationError"]), False),
        (_error("ProvisionedThroughputExceededException"), True),
        (_error("ThrottlingException"), True),
        (_error("InternalServerError"), True),
        (_error("ValidationException"), False),
        (_error("AccessDeniedException"), False),
        (ReadTimeoutError(endpoint_url="https://x.invalid"), True),
    ],
)
def test_what_is_worth_another_try(error: Exception, transient: bool) -> None:
    assert is_transient(error) is transient


class FakeTime:
    def __init__(self, cost: float) -> None:
        self.t, self.cost, self.calls = 0.0, cost, 0

    def clock(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds

    def contended(self) -> None:
        self.calls += 1
        self.t += self.cost
        raise Contention("busy")


@given(
    budget=st.floats(min_value=0.1, max_value=10),
    cost=st.floats(min_value=0.001, max_value=3),
    draw=st.floats(min_value=0, max_value=1),
)
def test_retries_never_outlast_the_budget_when_attempts_take_alike(
    budget: float, cost: float, draw: float
) -> None:
    # Given an operation that always meets contention and takes ``cost`` seconds each time
    fake = FakeTime(cost)
    # When it is retried within the budget, Then it gives up raising, having spent at most the budget
    # plus the first attempt (attempts are started only while one more fits)
    with pytest.raises(Contention):
        retry_within(
            RetryBudget(budget), fake.contended, clock=fake.clock, sleep=fake.sleep, draw=lambda: draw
        )
    assert fake.t <= max(budget, cost) + 1e-9
    assert fake.calls >= 1


def test_a_contended_operation_that_then_succeeds_returns_its_value() -> None:
    fake = FakeTime(0.01)
    outcomes = iter([Contention("a"), Contention("b"), "done"])

    def operation() -> str:
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    delays: list[float] = []
    got = retry_within(RetryBudget(4.0), operation, clock=fake.clock, sleep=delays.append, draw=lambda: 1.0)
    # Then the back-off doubled between attempts (full jitter drawn at its maximum here)
    assert got == "done" and delays == [0.025, 0.05]


def test_other_errors_are_not_retried() -> None:
    calls = []

    def operation() -> None:
        calls.append(1)
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        retry_within(RetryBudget(4.0), operation)
    assert calls == [1]


@given(st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True))
def test_dialable_is_a_prefix_rule_on_the_digits(number: str) -> None:
    assert dialable(number, ("1",)) is number.startswith("+1")
    assert dialable(number, ()) is False
    assert dialable(number, (number[1:3],)) is True
    assert dialable(number[1:], ("1",)) is False  # not E.164


def test_min_attempts_are_made_even_when_the_first_one_stalled() -> None:
    # Given a first attempt that took longer than the whole budget (a stalled container)
    fake = FakeTime(5.0)
    with pytest.raises(Contention):
        retry_within(RetryBudget(2.0, min_attempts=3), fake.contended, clock=fake.clock, sleep=fake.sleep)
    # Then the minimum attempts were made all the same, and no more
    assert fake.calls == 3

"""The functions' notion of "now", replaceable by the local engine and the simulator.

In AWS this is the wall clock. The simulator runs a day in seconds, so it installs its own clock
(``set_clock(center.now)``) and callback windows, lockouts and survey periods follow simulated time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime


def _wall() -> datetime:
    return datetime.now(UTC)


_clock: list[Callable[[], datetime]] = [_wall]


def now() -> datetime:
    """Timezone-aware current time (UTC unless the installed clock says otherwise)."""
    return _clock[0]()


def set_clock(clock: Callable[[], datetime] | None) -> None:
    """Install a clock returning tz-aware datetimes; None restores the wall clock."""
    _clock[0] = clock or _wall

"""The engine's shortcut for parameters without a reference (civicline.engine.references.has_reference).

``Run.text`` and ``Run.resolve`` build the flow data object only when the parameter holds a ``$.``
reference; the property checks that for any other value ``interpolate`` and ``resolve_value`` give
the value itself (or its text) whatever the data, which is what the shortcut returns.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from civicline.engine.references import as_text, has_reference, interpolate, resolve_value

DATA = {
    "Attributes": {"case": "C-1", "a b": "x", "empty": ""},
    "External": {"status": {"code": "OPEN"}, "n": 3},
    "FlowAttributes": {},
    "Channel": "VOICE",
}
texts = st.one_of(
    st.text(alphabet="$.[]'AaBbx_0 ", max_size=24),
    st.sampled_from(["$.Attributes.case", "Case $.Attributes.case now", "$.External.status", "$", "$ .A"]),
    st.text(max_size=12),
)
values = st.one_of(texts, st.integers(), st.booleans(), st.none(), st.lists(st.integers(), max_size=2))


@given(value=values)
def test_a_value_without_a_reference_reads_the_same_without_the_flow_data(value: Any) -> None:
    """Given any parameter value, when it holds no reference, then interpolating or resolving it
    against the flow data gives what the shortcut gives without the data (and a reference is never
    taken for none)."""
    if has_reference(value):
        assert isinstance(value, str) and "$" in value
        return
    assert interpolate(value, DATA) == (value if isinstance(value, str) else as_text(value))
    assert resolve_value(value, DATA) == value
    reported: list[str] = []
    interpolate(value, DATA, lambda ref, why: reported.append(ref))
    assert reported == []  # nothing to note in the transcript either

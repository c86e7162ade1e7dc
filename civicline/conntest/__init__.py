"""Amazon Connect test cases (the Connect *testing language*) run offline on the local engine.

A test case is either a ``CreateTestCase`` request body (``Name``, ``EntryPoint``, ``Content``...)
or a bare testing-language document. :mod:`.parser` reads either into the normalised model of
:mod:`.model` (every documented spelling accepted, one spelling kept); :mod:`.matcher` follows the
observations through the events one contact produces; :mod:`.runner` drives that contact through the
engine's observer seam with the real functions on moto; :mod:`.report` prints the results.
"""

from __future__ import annotations

from civicline.conntest.model import CaseError, TestCase
from civicline.conntest.parser import load_case, parse_case

__all__ = ["CaseError", "TestCase", "load_case", "parse_case"]

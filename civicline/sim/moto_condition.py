"""moto's parse of a condition expression, cached per expression string, used while the simulator runs.

Why: moto lexes a ``ConditionExpression`` (compiling its regular expressions again for every token),
resolves its paths and applies seven grammar passes on every conditional write; the state table's
attempt counters alone make about 1.3 such writes per contact (docs/decisions.md, "Simulation: CPU
per contact").

What is cached: moto's syntax tree of the expression, built by moto's own passes, keyed by the
expression and its ``ExpressionAttributeNames`` (the only inputs the tree's shape depends on: a value
placeholder's content is only carried in its leaf). What runs on every request: the check that every
value placeholder of the tree is defined (else moto parses again, so it raises its own error), the
tree's value leaves replaced by this request's values, the placeholders found recorded as moto records
them, and moto's own ``_make_op_condition`` (which raises its own errors for bad operands). An
expression moto cannot parse is never cached: moto raises on every request.

One request, one parse: moto parses a request's condition twice (the response layer checks the
placeholders it uses, the backend evaluates it). The second parse of the very same expression with
the very same placeholder objects (held here, so no other object can take their identity) is the
first one's operation, with the placeholders found recorded again. (This was a second patch of the
same method in ``moto_update``; one patch now does both.)
tests/simulation/test_perf_moto_condition.py compares generated conditions against moto's own code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from civicline.sim.moto_patch import Swap, replaced

_SAVED: dict[str, Any] = {}


class Template(NamedTuple):
    """moto's tree of one expression (value leaves from the request that built it)."""

    tree: Any
    names_found: tuple[str, ...]
    values_found: tuple[str, ...]


def _names_key(names: Any) -> tuple[tuple[str, str], ...] | None:
    if names is None:
        return ()
    if type(names) is not dict or not all(type(k) is str and type(v) is str for k, v in names.items()):
        return None
    return tuple(sorted(names.items()))


#: templates by (expression, names); cleared when full (a day uses a few dozen)
_TEMPLATES: dict[tuple[str, tuple[tuple[str, str], ...]], Template] = {}
MAX_TEMPLATES = 1024


def _template(parser: Any, key: tuple[str, tuple[tuple[str, str], ...]]) -> Template:
    """moto's passes of ``ConditionExpressionParser.parse`` up to the syntax tree, in moto's order (an
    error propagates as moto's own, and nothing is cached)."""
    template = _TEMPLATES.get(key)
    if template is not None:
        return template
    nodes = parser._lex_condition_expression()
    nodes = parser._parse_paths(nodes)
    nodes = parser._apply_functions(nodes)
    nodes = parser._apply_comparator(nodes)
    nodes = parser._apply_in(nodes)
    nodes = parser._apply_between(nodes)
    nodes = parser._apply_parens_and_booleans(nodes)
    node = nodes[0]
    parser._assert_no_redundant_parentheses(node)
    template = Template(node, tuple(parser._find_literals(node)), tuple(parser._find_expr_attr_values(node)))
    if len(_TEMPLATES) >= MAX_TEMPLATES:
        _TEMPLATES.clear()
    _TEMPLATES[key] = template
    return template


def _with_values(node: Any, values: dict[str, Any], value_kind: str) -> Any:
    if node.kind == value_kind:
        return node._replace(value=values[node.text])
    if not node.children:
        return node
    return node._replace(children=[_with_values(child, values, value_kind) for child in node.children])


#: the last condition parsed: (expression, names, values, op, names found, values found)
_LAST: list[Any] = []


def cached_parse(parser: Any) -> Any:
    """``ConditionExpressionParser.parse``: the request's second parse is its first one's, any other
    built from the cached syntax tree (see the module docstring)."""
    names, values = parser.expression_attribute_names, parser.expression_attribute_values
    last = _LAST
    if last and last[0] == parser.condition_expression and last[1] is names and last[2] is values:
        parser.expr_attr_names_found.extend(last[4])
        parser.expr_attr_values_found.extend(last[5])
        return last[3]
    op = _parse(parser)
    last[:] = [parser.condition_expression, names, values, op]
    last += [list(parser.expr_attr_names_found), list(parser.expr_attr_values_found)]
    return op


def _parse(parser: Any) -> Any:
    expression = parser.condition_expression
    names_key = _names_key(parser.expression_attribute_names)
    if not expression or type(expression) is not str or names_key is None:
        return _SAVED["parse"](parser)
    template = _template(parser, (expression, names_key))
    values = parser.expression_attribute_values
    if template.values_found and (
        type(values) is not dict or not all(v in values for v in template.values_found)
    ):
        return _SAVED["parse"](parser)  # moto raises its own error for the undefined placeholder
    tree = _with_values(template.tree, values or {}, parser.Kind.EXPRESSION_ATTRIBUTE_VALUE)
    parser.expr_attr_names_found.extend(template.names_found)
    parser.expr_attr_values_found.extend(template.values_found)
    return parser._make_op_condition(tree)


@contextmanager
def cached_conditions() -> Iterator[None]:
    """Install the cached parse on moto's ``ConditionExpressionParser``, then restore moto's."""
    from moto.dynamodb.comparisons import ConditionExpressionParser

    swap = Swap("parse", ConditionExpressionParser, "parse", cached_parse)
    with replaced(_SAVED, swap, forget=(_TEMPLATES, _LAST)):
        yield

"""A linear-time ``UpdateItem`` for in-process moto, used only while the simulator runs.

Why: moto validates an update expression with ten tree walks, two of which search the whole subtree
at every nested clause (quadratic in the number of actions), and its item checks the 400 KB limit by
re-measuring the whole item on every attribute it sets (quadratic in the item's attributes). The
aggregator's rollup update is one ``ADD`` per counter on items of a few hundred counters, so moto
spent most of a simulated day there (docs/decisions.md, "Speed and memory of the full day").

What this keeps: moto parses the expression (cached per expression string: the parse is a pure
function of the string, and moto copies the tree before it changes anything; the placeholders the
response layer looks for in a cached tree, ``find_clauses``, are remembered per tree and clause
types too: moto's walk of the nested action list copies every level's list into the one above,
quadratic in the number of actions, on the aggregator's rollup updates of a hundred counters),
moto evaluates the condition, moto creates a missing item and records stream records. What it
replaces: for the plain fragment CivicLine's adapters write (``SET`` of top-level attributes to a
value, an attribute,
``if_not_exists`` and ``+``/``-``; ``ADD``; ``DELETE``; ``REMOVE``), the new values are computed
from the item as it was, then set. Anything outside the fragment, and anything moto would refuse
(an undefined placeholder, a type mismatch, a key or index attribute, a reserved word, two actions
on one attribute, a possible 400 KB overflow), goes to moto's own ``update_item`` before anything
changed, so moto raises its own error. tests/simulation/test_perf_moto.py checks the fragment
against moto's behaviour with generated expressions and items.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from civicline.sim.moto_patch import Swap, replaced

EXPRESSIONS = "moto.dynamodb.parsing.expressions"
#: how many updates the fast path decided, and how many it left to moto (the benchmark prints them)
decided: Counter[str] = Counter()
#: moto's item size limit (moto.dynamodb.models.dynamo_type.LimitedSizeDict)
ITEM_LIMIT = 405000

# a target or operand path: ("#", "#name") or ("=", "plain")
Path = tuple[str, str]
# an operand: ("value", ":v") | ("path", Path) | ("if_not_exists", Path, operand)
Operand = tuple[Any, ...]


@dataclass(frozen=True)
class Action:
    """One action of an update expression in the fragment."""

    kind: str  # SET, ADD, DELETE, REMOVE
    target: Path
    #: SET: (operand,) or (operand, "+"/"-", operand); ADD/DELETE: ((value,),); REMOVE: ()
    value: tuple[Any, ...] = ()


class OutsideFragment(Exception):
    """The expression or the item is not one the fast path decides: moto's update_item runs."""


# -- the plan: moto's parse tree read once per expression string -------------------------------
#: the cached trees (by id, the tree held so its id is not reused) and their clauses found by type
_FOUND: dict[int, tuple[Any, dict[tuple[type, ...], list[Any]]]] = {}


def _made(expression: str) -> Any:
    """``UpdateExpressionParser.make``: the cached tree, whose ``find_clauses`` answers are kept."""
    tree = parsed(expression)
    if id(tree) not in _FOUND:
        if len(_FOUND) >= 4096:
            _FOUND.clear()
        _FOUND[id(tree)] = (tree, {})
    return tree


def _find_clauses(node: Any, clause_types: Any) -> list[Any]:
    """``Node.find_clauses``: on a cached tree the list found first (the same nodes), else moto's."""
    entry = _FOUND.get(id(node))
    if entry is None or entry[0] is not node:
        return _SAVED["find_clauses"](node, clause_types)  # type: ignore[no-any-return]
    key = tuple(clause_types)
    found = entry[1].get(key)
    if found is None:
        found = entry[1][key] = list(_SAVED["find_clauses"](node, clause_types))
    return list(found)


@functools.lru_cache(maxsize=2048)
def parsed(expression: str) -> Any:
    """moto's parse tree of ``expression`` (cached: moto deep-copies it before validating)."""
    import importlib

    make = _SAVED.get("make") or importlib.import_module(EXPRESSIONS).UpdateExpressionParser.make
    return make(expression)


@functools.lru_cache(maxsize=2048)
def plan(expression: str) -> tuple[Action, ...] | None:
    """The actions of ``expression`` when it is in the fragment, else None (moto decides)."""
    try:
        tree = parsed(expression)
        return tuple(_clauses(tree, set()))
    except OutsideFragment:
        return None
    except Exception:  # a syntax error: moto raises it when it parses again
        return None


_CLAUSES = {
    "UpdateExpressionSetClause": ("SET", "UpdateExpressionSetActions", "UpdateExpressionSetAction"),
    "UpdateExpressionAddClause": ("ADD", "UpdateExpressionAddActions", "UpdateExpressionAddAction"),
    "UpdateExpressionDeleteClause": (
        "DELETE",
        "UpdateExpressionDeleteActions",
        "UpdateExpressionDeleteAction",
    ),
    "UpdateExpressionRemoveClause": (
        "REMOVE",
        "UpdateExpressionRemoveActions",
        "UpdateExpressionRemoveAction",
    ),
}


def _clauses(node: Any, seen: set[str]) -> Iterator[Action]:
    """UpdateExpression => clause [UpdateExpression]; at most one clause of each kind."""
    _expect(node, "UpdateExpression", 1, 2)
    clause = node.children[0]
    if clause.type not in _CLAUSES or clause.type in seen:
        raise OutsideFragment(clause.type)
    seen.add(clause.type)
    kind, list_type, action_type = _CLAUSES[clause.type]
    _expect(clause, clause.type, 1, 1)
    yield from _actions(kind, clause.children[0], list_type, action_type)
    if len(node.children) == 2:
        yield from _clauses(node.children[1], seen)


def _actions(kind: str, node: Any, list_type: str, action_type: str) -> Iterator[Action]:
    """Actions => action [Actions] (a nested list in moto's tree, walked as a loop)."""
    while True:
        _expect(node, list_type, 1, 2)
        yield _action(kind, node.children[0], action_type)
        if len(node.children) == 1:
            return
        node = node.children[1]


def _action(kind: str, node: Any, action_type: str) -> Action:
    if kind == "REMOVE":
        _expect(node, action_type, 1, 1)
        return Action(kind, _path(node.children[0]))
    _expect(node, action_type, 2, 2)
    target = _path(node.children[0])
    if kind == "SET":
        return Action(kind, target, _set_value(node.children[1]))
    return Action(kind, target, (_value_ref(node.children[1]),))


def _set_value(node: Any) -> tuple[Any, ...]:
    _expect(node, "UpdateExpressionValue", 1, 3)
    if len(node.children) == 1:
        return (_operand(node.children[0]),)
    if len(node.children) != 3 or node.children[1].type != "ExpressionValueOperator":
        raise OutsideFragment("value")
    operator = node.children[1].children[0]
    if operator not in ("+", "-"):
        raise OutsideFragment(operator)
    return (_operand(node.children[0]), operator, _operand(node.children[2]))


def _operand(node: Any) -> Operand:
    if node.type == "ExpressionAttributeValue":
        return ("value", _value_ref(node))
    if node.type == "UpdateExpressionPath":
        return ("path", _path(node))
    if node.type == "UpdateExpressionFunction" and node.children[0] == "if_not_exists":
        _expect(node, "UpdateExpressionFunction", 3, 3)
        return ("if_not_exists", _path(node.children[1]), _operand(node.children[2]))
    raise OutsideFragment(node.type)


def _value_ref(node: Any) -> str:
    _expect(node, "ExpressionAttributeValue", 1, 1)
    return str(node.children[0])


def _path(node: Any) -> Path:
    """Only a top-level attribute (no map keys, no list indexes)."""
    _expect(node, "UpdateExpressionPath", 1, 1)
    element = node.children[0]
    if element.type == "ExpressionAttributeName":
        return ("#", str(element.children[0]))
    if element.type == "ExpressionAttribute":
        return ("=", str(element.children[0]))
    raise OutsideFragment(element.type)


def _expect(node: Any, kind: str, least: int, most: int) -> None:
    children = getattr(node, "children", None)
    if getattr(node, "type", None) != kind or children is None or not least <= len(children) <= most:
        raise OutsideFragment(kind)


@functools.cache
def _reserved() -> frozenset[str]:
    from moto.dynamodb.parsing.reserved_keywords import ReservedKeywords

    return frozenset(ReservedKeywords.get_reserved_keywords())


# -- the update --------------------------------------------------------------------------------
class Evaluation:
    """The new attribute values of one update, computed from the item as it was (as moto's validator
    resolves every operand before its executor runs); raises OutsideFragment where moto decides."""

    def __init__(self, table: Any, attrs: dict[str, Any], names: dict[str, str], values: dict[str, Any]):
        from moto.dynamodb.models.dynamo_type import DynamoType

        self.dynamo_type = DynamoType
        self.attrs = attrs
        self.names = names or {}
        self.values = values or {}
        self.guarded = {*table.attribute_keys, *(a["AttributeName"] for a in table.attr or [])}

    def name(self, path: Path) -> str:
        mark, raw = path
        if mark == "#":
            if raw not in self.names:
                raise OutsideFragment("undefined name")
            name = self.names[raw]
        else:
            if raw.upper() in _reserved():
                raise OutsideFragment("reserved word")
            name = raw
        if name in self.guarded or raw in self.guarded:
            raise OutsideFragment("key or index attribute")
        return name

    def value(self, ref: str) -> Any:
        if ref not in self.values:
            raise OutsideFragment("undefined value")
        return self.dynamo_type(self.values[ref])

    def operand(self, operand: Operand) -> Any:
        if operand[0] == "value":
            return self.value(operand[1])
        current = self.attrs.get(self.name(operand[1]))
        if operand[0] == "path":
            if current is None:
                raise OutsideFragment("attribute does not exist")
            return current
        # moto validates every placeholder of the expression, the fallback of an if_not_exists
        # whose attribute exists too: an undefined one is its ValidationException, not a success
        fallback = operand[2]
        if fallback[0] != "value":
            raise OutsideFragment("if_not_exists with a path fallback")
        default = self.value(fallback[1])
        return current if current is not None else default

    def set_value(self, value: tuple[Any, ...]) -> Any:
        first = self.operand(value[0])
        if len(value) == 1:
            return first
        second = self.operand(value[2])
        if not (first.is_number() and second.is_number()):
            raise OutsideFragment("arithmetic on a non-number")
        return first + second if value[1] == "+" else first - second

    def added(self, name: str, current: Any, value: Any) -> Change:
        if value.is_set():
            if not value.value or (current is not None and current.type != value.type):
                raise OutsideFragment("set type")
            if current is None:
                return ("set", name, self.dynamo_type({value.type: list(_unique(value.value, []))}))
            return ("extend", current, list(_unique(value.value, current.value)))
        if not value.is_number() or (current is not None and not current.is_number()):
            raise OutsideFragment("ADD type")
        return ("set", name, (current if current is not None else self.dynamo_type({"N": "0"})) + value)

    def deleted(self, name: str, current: Any, value: Any) -> Change | None:
        if not value.is_set() or (current is not None and current.type != value.type):
            raise OutsideFragment("DELETE type")
        return None if current is None else ("discard", name, current, value.value)


#: one change to the item, applied in place as moto's executor does: ("set", name, value),
#: ("remove", name), ("extend", set value, new elements), ("discard", name, set value, elements)
Change = tuple[Any, ...]


def _unique(values: list[Any], present: list[Any]) -> Iterator[Any]:
    """The values not in ``present`` nor earlier in ``values`` (moto appends them one by one)."""
    seen = list(present)
    for value in values:
        if value not in seen:
            seen.append(value)
            yield value


def changes(evaluation: Evaluation, actions: tuple[Action, ...]) -> tuple[list[Change], int]:
    """The changes of ``actions`` and an upper bound of the bytes they add (what moto's per-set size
    check could see beyond the item's size); raises OutsideFragment where moto decides."""
    from moto.dynamodb.models.utilities import bytesize

    planned: list[Change] = []
    touched: set[str] = set()
    growth = 0
    for action in actions:
        name = evaluation.name(action.target)
        if name in touched:
            raise OutsideFragment("two actions on one attribute")
        touched.add(name)
        current = evaluation.attrs.get(name)
        change: Change | None
        if action.kind == "SET":
            change = ("set", name, evaluation.set_value(action.value))
        elif action.kind == "ADD":
            change = evaluation.added(name, current, evaluation.value(action.value[0]))
        elif action.kind == "DELETE":
            change = evaluation.deleted(name, current, evaluation.value(action.value[0]))
        else:
            change = ("remove", name)
        if change is None:
            continue
        planned.append(change)
        if change[0] in ("set", "extend"):
            added = change[2] if change[0] == "set" else evaluation.dynamo_type({change[1].type: change[2]})
            growth += bytesize(name) + added.size()
    return planned, growth


def _item_size(attrs: dict[str, Any]) -> int:
    from moto.dynamodb.models.utilities import bytesize

    return sum(bytesize(key) + value.size() for key, value in attrs.items())


def _fast_update_item(  # noqa: PLR0917 - moto's signature
    self: Any,
    table_name: str,
    key: dict[str, dict[str, Any]],
    update_expression: str,
    expression_attribute_names: dict[str, Any],
    expression_attribute_values: dict[str, Any],
    attribute_updates: dict[str, Any] | None = None,
    expected: dict[str, Any] | None = None,
    condition_expression: str | None = None,
    return_values_on_condition_check_failure: str | None = None,
) -> Any:
    args = (table_name, key, update_expression, expression_attribute_names, expression_attribute_values)
    options = {
        "attribute_updates": attribute_updates,
        "expected": expected,
        "condition_expression": condition_expression,
        "return_values_on_condition_check_failure": return_values_on_condition_check_failure,
    }
    actions = plan(update_expression) if update_expression and not (attribute_updates or expected) else None
    table = self.get_table(table_name)
    keys = _key_values(table, key) if actions is not None else None
    if actions is None or keys is None:
        decided["moto"] += 1
        return _original_update_item(self, *args, **options)
    item = table.get_item(*keys)
    _check_condition(
        item, condition_expression, options, expression_attribute_names, expression_attribute_values
    )
    try:
        attrs = item.attrs if item is not None else {}
        evaluation = Evaluation(table, attrs, expression_attribute_names, expression_attribute_values)
        planned, growth = changes(evaluation, actions)
        if _item_size(evaluation.attrs) + growth > ITEM_LIMIT:
            raise OutsideFragment("may exceed the item size limit")
    except OutsideFragment:
        decided["moto"] += 1
        return _original_update_item(self, *args, **options)
    decided["fast"] += 1
    return _apply(table, item, keys, planned)


def _key_values(table: Any, key: dict[str, Any]) -> tuple[Any, Any] | None:
    """The (hash, range) of ``key`` as moto reads it; None for shapes moto handles on its own."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    if table.hash_key_attr not in key:
        return None
    if table.range_key_attr is None:
        return (DynamoType(key[table.hash_key_attr]), None) if len(key) == 1 else None
    if table.range_key_attr not in key or len(key) != 2:
        return None
    return DynamoType(key[table.hash_key_attr]), DynamoType(key[table.range_key_attr])


def _check_condition(
    item: Any, condition: str | None, options: dict[str, Any], names: Any, values: Any
) -> None:
    """moto's own condition evaluation (the same calls its update_item makes, in the same order)."""
    from moto.dynamodb.comparisons import create_condition_expression_parser
    from moto.dynamodb.exceptions import ConditionalCheckFailed

    if condition is None:
        return
    if not create_condition_expression_parser(condition, names, values).parse().expr(item):
        if options["return_values_on_condition_check_failure"] == "ALL_OLD" and item is not None:
            raise ConditionalCheckFailed(item=item.to_json()["Attributes"])
        raise ConditionalCheckFailed


def _apply(table: Any, item: Any, keys: tuple[Any, Any], planned: list[Change]) -> Any:
    """Create a missing item as moto does (its keys only), then make the changes (checked above)."""
    import copy

    hash_value, range_value = keys
    if item is None:
        data: dict[str, Any] = {table.hash_key_attr: {hash_value.type: hash_value.value}}
        if range_value:
            data[table.range_key_attr] = {range_value.type: range_value.value}
        table.put_item(data)
        item = table.get_item(hash_value, range_value)
    original = copy.deepcopy(item) if table.stream_shard is not None else None
    for change in planned:
        _change(item.attrs, change)
    if table.stream_shard is not None:
        table.stream_shard.add(original, item)
    return item


def _change(attrs: dict[str, Any], change: Change) -> None:
    kind = change[0]
    if kind == "set":
        dict.__setitem__(attrs, change[1], change[2])  # the size limit was checked for all changes
    elif kind == "remove":
        attrs.pop(change[1], None)
    elif kind == "extend":
        change[1].value.extend(change[2])
    else:
        _, name, current, elements = change
        for element in elements:
            if element in current.value:
                current.value.remove(element)
        if not current.value:
            attrs.pop(name, None)


def _original_update_item(self: Any, *args: Any, **kwargs: Any) -> Any:
    return _SAVED["update_item"](self, *args, **kwargs)


_SAVED: dict[str, Any] = {}


@contextmanager
def fast_updates() -> Iterator[None]:
    """Install the cached update-expression parse and the linear-time update on moto's DynamoDB
    backend, then restore (a condition's parse is :mod:`civicline.sim.moto_condition`'s)."""
    import importlib

    from moto.dynamodb.models import DynamoDBBackend

    parser: Any = importlib.import_module(EXPRESSIONS).UpdateExpressionParser
    node: Any = importlib.import_module("moto.dynamodb.parsing.ast_nodes").Node  # untyped module
    swaps = (
        Swap("make", parser, "make", classmethod(lambda cls, expression: _made(expression))),
        Swap("find_clauses", node, "find_clauses", _find_clauses),
        Swap("update_item", DynamoDBBackend, "update_item", _fast_update_item),
    )
    with replaced(_SAVED, *swaps, forget=(_FOUND,)):
        yield

"""Which of each flow's actions and branches a set of cases exercised.

A *branch* is a distinct way out of an action: a target named by its ``NextAction``, a condition or an
error branch. Two branches of one action that lead to the same action are one branch (the flow cannot
tell them apart afterwards, and neither can a test: a Loop's ``DoneLooping`` and its ``NextAction``
often go to the same place). A branch is exercised when an action ran and the next action that ran in
the same flow was that target.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from civicline.engine import FlowLibrary, LoadedFlow


def branches_of(flow: LoadedFlow) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for action in flow.document.Actions:
        transitions = action.Transitions
        targets = [transitions.NextAction]
        targets += [c.NextAction for c in transitions.Conditions or []]
        targets += [e.NextAction for e in transitions.Errors or []]
        found.update((action.Identifier, t) for t in targets if t)
    return found


@dataclass
class Coverage:
    library: FlowLibrary
    actions: dict[str, set[str]] = field(default_factory=dict)
    branches: dict[str, set[tuple[str, str]]] = field(default_factory=dict)

    def record(self, steps: Iterable[tuple[str, str]]) -> None:
        previous: tuple[str, str] | None = None
        for flow, identifier in steps:
            self.actions.setdefault(flow, set()).add(identifier)
            if previous is not None and previous[0] == flow:
                self.branches.setdefault(flow, set()).add((previous[1], identifier))
            previous = (flow, identifier)

    def rows(self) -> list[tuple[str, int, int, int, int]]:
        """(flow, actions run, actions, branches taken, branches) for every flow in the library."""
        rows = []
        for name in self.library.names():
            flow = self.library.get(name)
            all_actions = set(flow.actions)
            all_branches = branches_of(flow)
            ran = self.actions.get(name, set()) & all_actions
            taken = self.branches.get(name, set()) & all_branches
            rows.append((name, len(ran), len(all_actions), len(taken), len(all_branches)))
        return rows

    def totals(self) -> tuple[float, float]:
        """(share of actions, share of branches) over every flow, 0..1."""
        rows = self.rows()
        actions = sum(r[2] for r in rows)
        branches = sum(r[4] for r in rows)
        return (
            sum(r[1] for r in rows) / actions if actions else 1.0,
            sum(r[3] for r in rows) / branches if branches else 1.0,
        )

    def missing(self, flow: str) -> list[tuple[str, str]]:
        return sorted(branches_of(self.library.get(flow)) - self.branches.get(flow, set()))

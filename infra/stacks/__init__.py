"""The CivicLine stacks: stateful data first, then the contact center that uses it."""

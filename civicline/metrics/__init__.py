"""Contact-center metrics on the command line and in reports: the local pipeline pump, rollup queries,
table/CSV/JSON rendering, the A-11 export and the self-contained HTML dashboard.

The definitions themselves live in :mod:`functions.domain.metrics` (one place, shared with the
aggregator Lambda)."""

"""The workload simulator: a discrete-event kernel, Erlang C/A, staffing, profiles, the day runner.

Pure parts (kernel, erlang, staffing, planning, profiles) import nothing from AWS; the day runner
wires the flow engine, the real handlers, the local tables and the metric aggregator together.
"""

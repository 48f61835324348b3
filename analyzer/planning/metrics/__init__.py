"""Metrics: project totals from the analyzers' measures, and the roadmap's success metrics.

- ``aggregate``: per-file measures and findings rolled up to project numbers;
- ``specs``: the success metrics of ``rules/metrics.toml``, loaded and validated;
- ``success``: each metric's baseline from this scan, and the target the scheduled plan
  reaches.
"""

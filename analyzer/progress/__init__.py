"""``roadmap progress``: how far a later scan has come along the roadmap an earlier report laid out.

The steps, one module each:

- ``read``: an earlier JSON report (untrusted data: capped, every field checked) becomes a
  ``Snapshot``; so does the report of the scan made now.
- ``match``: which of a snapshot's findings are still there in a later one (by fingerprint,
  then by rule, symbol and message for a finding that moved to another file), fixed,
  suppressed, or could not be re-checked.
- ``compare``: recommendations done, in progress or not started; phases complete; new and
  returning debt; built on ``schedule`` (ahead or behind), ``metrics`` (baseline, now,
  target) and ``burndown`` (remaining effort over the reports given).
- ``export``, ``markdown`` and ``summary``: the outcome as JSON data, as Markdown through the
  templates, and as a one-screen terminal summary.

Everything here is a pure function over frozen dataclasses; the command line
(``analyzer/cli/progress_command.py``) reads the files, scans and writes.
"""

"""The ``scan`` member of the JSON export: what a report needs to be read back and merged.

Its identity (tree, configuration, rules, tools), the configuration as a ``[tool.roadmap]``
table, the project-level measures (per-file ones are in ``metrics.files``), and, in a
shard's report, which shard it is and what the merge needs from it: the lines of the files
it owns and the facts of the joins it left to the merge (see analyzer/reports/read.py).
"""

from __future__ import annotations

from typing import Any

from analyzer.model import DeferredJoin, ScanIdentity, ScanResult, ShardPart


def scan_section(result: ScanResult) -> dict[str, Any] | None:
    if result.identity is None:
        return None
    return {
        "identity": identity_to_dict(result.identity),
        "config": dict(result.identity.config),
        "project_measures": [
            {"name": m.name, "value": m.value} for m in result.measures if m.path is None
        ],
        "shard": None if result.shard is None else shard_to_dict(result.shard),
    }


def identity_to_dict(identity: ScanIdentity) -> dict[str, Any]:
    return {
        "root_name": identity.root_name,
        "commit": identity.commit,
        "files_digest": identity.files_digest,
        "config_hash": identity.config_hash,
        "rules_digest": identity.rules_digest,
        "tool_versions": [
            {"name": name, "version": version} for name, version in identity.tool_versions
        ],
    }


def shard_to_dict(shard: ShardPart) -> dict[str, Any]:
    return {
        "index": shard.index,
        "count": shard.count,
        "whole_program": shard.whole_program,
        "lines": dict(shard.lines),
        "whole_program_analyzers": list(shard.whole_program_analyzers),
        "joins": [_join_to_dict(join) for join in shard.joins],
    }


def _join_to_dict(join: DeferredJoin) -> dict[str, Any]:
    return {
        "analyzer": join.analyzer,
        "facts": [{"path": f.path, "data": f.data} for f in join.facts],
        "errors": [{"path": e.path, "reason": e.reason} for e in join.errors],
    }

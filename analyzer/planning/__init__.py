"""Planning: findings in, a roadmap out. The modules are its steps, in order:

- ``settings``, ``kinds``: what planning reads from ``rules/`` (planning.toml,
  recommendations.toml) and ``[tool.roadmap.plan]``;
- ``facts``: per-file facts from the scan and the git history, indexed once;
- ``hotspots``: complex functions that change often (churn x complexity);
- ``rootcause``: findings that one fix closes;
- ``value``: where a finding sits, what fixing it is worth, and the priority;
- ``estimate``, ``risk``, ``titles``: what one pull request costs, risks and is called;
- ``group``: root causes into pull requests (the ratchet, splits along modules);
- ``depend``: which pull request waits for which, from the files they edit;
- ``schedule``: priority then value per hour into the horizon, the rest to the backlog;
- ``metrics``: project totals and the success metrics' baselines and reachable targets;
- ``roadmap``: the pipeline that runs them.
"""

"""Built-in analyzers: one adapter module per wrapped tool, each the only place that knows
its tool's native format."""

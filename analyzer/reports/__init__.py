"""Reports read back: a JSON report into the model (``read``), shards merged into one scan
(``shards``), the joins a sharded scan left to the merge (``joins``), and several
repositories' reports into one plan (``org``)."""

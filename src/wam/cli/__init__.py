"""The ``wam`` command line: one Typer sub-command per noun, each a thin call into services."""

"""``python -m wam``: the command line, as the ``wam`` script runs it."""

from wam.cli.main import main

main()

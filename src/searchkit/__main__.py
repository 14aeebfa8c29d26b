"""``python -m searchkit``: the command-line interface."""

from .cli import main

main()

"""``python -m servanda`` runs the command line."""

from servanda.entrypoints.cli import main

main()

"""`python -m coprod` is the `coprod` command (the plan worker is started this way)."""

from coprod.cli import app

app()

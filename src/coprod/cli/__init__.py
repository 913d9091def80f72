"""The coprod command line: one module per command group, each a thin layer over coprod.app.

    files.py      validate, convert, schema, generate
    plan.py       plan (a file or a stored programme), plan diff, replan
    scenarios.py  scenario compare, risk
    server.py     db upgrade, import, export, user add, serve, worker
    tracking.py   actuals import, track, trace, royalties
    collaboration.py  release, releases, answer, commitments (suppliers)
    promise.py    promise (capable-to-promise quotes, --commit)

Every error a user can cause ends with a message naming file, record and field, and exit
status 2; never a traceback. Command modules import the use cases they call inside the
command, so `coprod --help` and `coprod plan FILE` do not import the server, Dask or Plotly.
"""

import os

# Before numpy and scipy load their OpenBLAS (the commands import them later): one BLAS
# thread. coprod does no dense linear algebra (sparse LP arrays, HiGHS's own threads), and
# each library's thread pool otherwise spins up at start-up: at generated M that cost a first
# plan ~0.2 of ~0.95 CPU s and the default plan ~0.3 s (docs/performance.md). A value the
# user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from coprod.cli import collaboration, files, plan, promise, scenarios, server, tracking
from coprod.cli.common import app

__all__ = ["app", "main"]

for _module in (files, plan, scenarios, server, tracking, collaboration, promise):
    _module.register(app)


def main() -> None:  # pragma: no cover - console entry
    app()

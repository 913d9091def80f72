"""The use cases: everything a user can ask of coprod, once, for every entry point.

The CLI (coprod.cli), the REST API and the dashboard (coprod.api) parse their input, call
one function here and render what it returns; none of them reads a file format, builds an
LP or touches SQL. Permissions are asked here, of the principal (access.py): record rules
for records, `Action`s for everything else.

    programmes.py   validate, convert, import, upload, export, list, the file schema
    records.py      list (filter, sort, page), read, create, update, delete records
    plans.py        start a stored plan, its status, results, diff, downloads (scoped)
    plan_jobs.py    the plan jobs: claim, run with progress, reap lost ones, the worker
    plan_files.py   plan and re-plan programme files (no database)
    plan_view.py    the rows and fields of a plan a principal may see
    scenarios.py    scenario comparison and Monte Carlo risk from files
    users.py        sign-in, tokens, users
    audit.py        the audit trail
    actuals.py      record actuals (a batch from a file or the API, one event), list, read
    tracking.py     plan against actual, the trace of a serial, royalties, plans as of a date
    database.py     transactions and migrations; names.py: names that go into paths and headers

Modules import what they need when they need it, so `coprod plan FILE` does not pay for
the database, the server, Dask or Plotly.
"""

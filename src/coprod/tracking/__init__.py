"""Actuals: what was built, accepted, shipped and received, and what they mean for the plan.

    ledger.py     look-ups over the events, and the state they add up to on a day
    rules.py      the rules between events and the programme (flow.py: stock and receipts)
    owners.py     whose event it is (the partner that records it, and who else may read it)
    asof.py       the programme as of a date: the remaining horizon from the recorded truth
    report.py     plan against actual per site, line and period; the trace of a serial
    royalties.py  royalty statements from units accepted, per licensee and period

Engines beside planning: they import the domain and nothing above it.
"""

"""Paying on the card terminal without losing money or taking it twice (no Qt here).

`journal` keeps every payment's life in the kiosk store, written before and after each talk with
the terminal; `ledger` drives the terminal through that journal (pay, deliver or reverse, resolve
what a crash left open, reconcile the day); `prices` turns configured prices into cents.
"""

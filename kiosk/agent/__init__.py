"""kiosk-agent: the kiosk's own background process that talks to the hub when the app need not.

It ships the sealed outbox to the hub (`shipper`), exactly once per submission, and keeps the
hub's forms catalogue cached in the kiosk's data folder (`catalogue`). It shares the kiosk's
SQLite file with the running app (WAL, short transactions, the store's busy timeout) and has no
Qt. docs/outbox-protocol.md is the protocol.
"""

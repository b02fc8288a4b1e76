"""Fleet health: what kiosks report (heartbeats, events, usage), alerts, support's view, metrics.

Kiosks post to /api/kiosk/* (docs/fleet-protocol.md); support reads /api/support/* and the
dashboard pages build on that. This package imports nothing at its top so that hub.config can
use its settings.
"""

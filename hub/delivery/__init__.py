"""Sealed submissions from kiosks: intake, the forms catalogue, e-mail limits and delivery.

Kiosks send forms and e-mail sealed to the hub's key (docs/outbox-protocol.md); the hub stores
the sealed bytes, then its delivery worker opens them and sends them on by e-mail (SMTP) or
HTTPS. This package imports nothing at its top so that hub.config can use its settings.
"""

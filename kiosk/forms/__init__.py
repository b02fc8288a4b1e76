"""E-forms on the kiosk: the definitions and checks live in the shared `eforms` package; here is
what only the kiosk does with them (no Qt here)."""

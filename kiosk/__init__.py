"""Self-service e-kiosk for public services: the appliance that runs on the kiosk box."""

__version__ = "0.1.0"

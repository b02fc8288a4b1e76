"""The E-services service: the catalogue and the kiosk's browser."""

"""The hub: one aiohttp service for the kiosks and the staff (advisors, support, technicians)."""

"""Every PySide6 import of the kiosk lives in this package."""

"""Device-abstraction layer: a narrow typed interface per device class, real and simulated backends.

Nothing here imports Qt. Backends report through thread-safe callbacks; kiosk.ui.bridge turns
those into Qt signals.
"""

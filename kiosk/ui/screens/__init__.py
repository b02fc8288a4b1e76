"""One module a screen. A window composes them; logic lives in Qt-free services."""

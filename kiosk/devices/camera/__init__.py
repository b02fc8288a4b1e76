"""Camera backends."""

"""Payment backends."""

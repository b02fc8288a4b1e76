"""E-forms: definitions as data, their validators and their rendering (no Qt here)."""

"""The parts of the Forms service: field widgets, a form's pages, its summary and receipt."""

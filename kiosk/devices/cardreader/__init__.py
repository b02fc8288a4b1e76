"""Cardreader backends."""

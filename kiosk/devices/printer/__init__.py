"""Printer backends."""

"""Reusable widgets sized and labelled for a public touchscreen."""

"""Tests of the kiosk's Debian packages and the fleet's signed apt repository."""

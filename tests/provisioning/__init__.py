"""Tests of kiosk-provision and the systemd units."""

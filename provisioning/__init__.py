"""kiosk-provision: sets up a kiosk box (Debian 12) and enrolls it with the hub."""

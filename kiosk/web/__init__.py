"""The e-services browser's policy, Qt-free: the catalogue as the kiosk keeps it, which addresses
a page may reach, and what becomes of a download. kiosk.ui's browser asks these and obeys."""

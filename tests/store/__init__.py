"""Tests of kiosk.store: schema and migrations, the Store's methods, and the StoreWriter."""

"""Payment tests start devices with the device tests' fixtures (always stopped afterwards)."""

from tests.devices.conftest import record, start  # noqa: F401 - fixtures, used by name

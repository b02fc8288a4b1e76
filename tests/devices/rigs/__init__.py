"""World actions on a device that read the same for its simulated and its real backend, so one
behaviour test runs against both (tests/devices/test_in_step_*.py).

A rig owns one device and whatever stands in for the hardware: for a simulator its fault
switches, for a real backend the processes and files of tests/peers. `start()` starts the device
(the `start` fixture stops it after the test); the other methods change the world and return once
it has changed, leaving it to the test to wait for what the device makes of it.

One module per device class, so a test of one class imports nothing of another's peer.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.devices.base import Device

Start = Callable[[Device], Device]

"""One device on the technician's screen: its state, detail and last error in words, its
self-test, the simulators' fault switches and, for the printer, a test page followed to its end.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.devices.base import Device
from kiosk.devices.printer.base import Printer
from kiosk.devices.status import (
    DeviceEvent,
    DeviceHealth,
    PrintJobCompleted,
    PrintJobProgress,
    SelfTestResult,
    StatusChanged,
)
from kiosk.i18n import N_
from kiosk.printing.job import JobEnd, PrintJob
from kiosk.ui.bridge import Bridge
from kiosk.ui.screens.technician_words import (
    DEVICE_NAMES,
    backend_words,
    detail_words,
    error_words,
    state_words,
    step_words,
)
from kiosk.ui.state import UiState
from kiosk.ui.widgets.buttons import BigButton

log = logging.getLogger(__name__)

SELF_TEST = N_("Self-test")
TESTING = N_("Testing…")
TEST_PASSED = N_("Self-test passed")
TEST_FAILED = N_("Self-test failed")
STATE = N_("State: {state}")
DETAIL = N_("{backend} · {detail}")
LAST_ERROR = N_("Last error: {error}")
NO_ERROR = N_("No errors")
SWITCH_FAILED = N_("The switch could not be set: {error}")
FAULTS = N_("Simulator faults:")
PRINT_TEST_PAGE = N_("Print a test page")
PAGE_SENT = N_("Sending the test page to the printer…")
PAGE_QUEUED = N_("The test page is in the print queue.")
PAGE_PRINTING = N_("Printing the test page…")
PAGE_HELD = N_("The test page is waiting for the printer: see its state above.")
PAGE_PRINTED = N_("The test page was printed.")
PAGE_NOT_PRINTED = N_("The test page was not printed: {reason}")
JOB_REASONS = {
    "cancelled": N_("the print job was cancelled"),
    "aborted": N_("the printer gave up the job"),
    "no_device": N_("no printer is connected"),
    "queue_missing": N_("CUPS has no print queue of the configured name"),
    "printer_unreachable": N_("the printer does not answer"),
    "rejected": N_("the print queue does not accept jobs"),
    "file_not_found": N_("the test page could not be made"),
    "unreadable": N_("the test page could not be made"),
    "unsupported_document": N_("the printer does not take PDF files"),
}
#: At most this many fault switches side by side; fewer when their labels would not fit.
FAULT_COLUMNS = 3
FAULT_SPACING = 8


class DevicePanel(QFrame):
    """One device: its state in words, detail, last error, self-test and fault switches."""

    def __init__(
        self,
        ui: UiState,
        device: Device,
        bridge: Bridge,
        parent: QWidget | None = None,
        *,
        write_page: Callable[[Path], Path] | None = None,
    ) -> None:
        """`write_page` writes the test page to a path (a printer gets the button with it)."""
        super().__init__(parent)
        self.ui = ui
        self.device = device
        self.bridge = bridge
        self._write_page = write_page
        self.setProperty("role", "card")
        self._test_text = ""
        self._steps: tuple[str, ...] = ()
        #: The test page's print job, its file's folder, and what to say about it.
        self._job: PrintJob | None = None
        self._page_folder: Path | None = None
        self._page_text = ""
        self._page_reason = ""
        layout = self._layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(8)
        self.name = QLabel()
        self.name.setProperty("role", "h2")
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.detail = QLabel()
        self.detail.setProperty("role", "muted")
        self.detail.setWordWrap(True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        for widget in (self.name, self.state, self.detail, self.error):
            layout.addWidget(widget)
        buttons = QHBoxLayout()
        self.test_button = BigButton()
        self.test_button.clicked.connect(self.run_self_test)
        buttons.addWidget(self.test_button)
        self.test_page_button: BigButton | None = None
        self.page_result = QLabel()
        self.page_result.setWordWrap(True)
        if isinstance(device, Printer) and write_page is not None:
            self.test_page_button = BigButton()
            self.test_page_button.clicked.connect(self.print_test_page)
            buttons.addWidget(self.test_page_button)
        buttons.addWidget(self.test_result, 1)
        layout.addLayout(buttons)
        if self.test_page_button is not None:
            layout.addWidget(self.page_result)
        self.faults_label = QLabel()
        self.fault_buttons: dict[str, BigButton] = {}
        self._fault_grid: QGridLayout | None = None
        self._fault_columns = 0
        switches = device.fault_switches()
        if switches:
            layout.addWidget(self.faults_label)
            self._fault_grid = QGridLayout()
            self._fault_grid.setSpacing(FAULT_SPACING)
            for switch in switches:
                button = BigButton()
                button.setCheckable(True)
                button.setChecked(switch.name in device.faults())
                button.toggled.connect(lambda on, name=switch.name: self._set_fault(name, on))
                self.fault_buttons[switch.name] = button
            layout.addLayout(self._fault_grid)
        layout.addStretch(1)
        self.retranslate()
        ui.changed.connect(self.retranslate)

    # ---- fault switches and the self-test -----------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._reflow_faults()

    def _reflow_faults(self) -> None:
        """As many fault switches side by side as fit with their whole labels (language and
        text size change the labels' widths)."""
        grid = self._fault_grid
        if grid is None:
            return
        margins = self._layout.contentsMargins()
        room = self.contentsRect().width() - margins.left() - margins.right()
        widest = max(button.sizeHint().width() for button in self.fault_buttons.values())
        columns = max(1, min(FAULT_COLUMNS, (room + FAULT_SPACING) // (widest + FAULT_SPACING)))
        if columns == self._fault_columns:
            return
        self._fault_columns = columns
        for button in self.fault_buttons.values():
            grid.removeWidget(button)
        for index, button in enumerate(self.fault_buttons.values()):
            grid.addWidget(button, index // columns, index % columns)
        for column in range(FAULT_COLUMNS):
            grid.setColumnStretch(column, 1 if column < columns else 0)

    def _set_fault(self, name: str, on: bool) -> None:
        log.info(
            "technician switched a fault",
            extra={"device_id": self.device.device_id, "code": name, "state": str(on)},
        )
        device = self.device
        # On the device's own thread: a simulator behind HTTP (the terminal's) can take seconds.
        done = device.worker.submit(lambda: device.set_fault(name, on))
        self.bridge.when_done(done, self._fault_set)

    def _fault_set(self, future: Future[None]) -> None:
        error = future.exception()
        if error is not None:  # the terminal simulator is not running, say
            log.warning("a fault switch failed", extra={"device_id": self.device.device_id})
            self.test_result.setText(self.ui.t(SWITCH_FAILED).format(error=error))
        # Show what the device really has now (one mode at a time on the terminal simulator).
        self.show_health(self.device.health())

    def run_self_test(self) -> None:
        self.test_button.setEnabled(False)
        self._test_text = TESTING
        self.retranslate()
        future: Future[SelfTestResult] = self.device.self_test()
        self.bridge.when_done(future, self._on_test_done)

    def _on_test_done(self, future: Future[SelfTestResult]) -> None:
        self.test_button.setEnabled(True)
        try:
            result = future.result()
        except Exception as exc:
            self._test_text = TEST_FAILED
            self._steps = (type(exc).__name__,)
        else:
            self._test_text = TEST_PASSED if result.passed else TEST_FAILED
            self._steps = result.steps
        self.retranslate()

    # ---- the test page ------------------------------------------------------------------------

    def print_test_page(self) -> None:
        """Make the test page and print it; the job's events tell how it goes."""
        if not isinstance(self.device, Printer) or self._write_page is None or self._job:
            return
        assert self.test_page_button is not None
        self.test_page_button.setEnabled(False)
        self._page_reason = ""
        self._page_folder = Path(tempfile.mkdtemp(prefix="kiosk-test-page-"))
        log.info("technician prints a test page", extra={"device_id": self.device.device_id})
        try:
            path = self._write_page(self._page_folder / "test-page.pdf")
            self._job = PrintJob.send(self.device, path)
        except Exception as exc:
            log.warning("the test page was not printed", extra={"device_id": self.device.device_id})
            self._page_done(PAGE_NOT_PRINTED, str(exc) or type(exc).__name__)
            return
        self._page_text = PAGE_SENT
        self.retranslate()
        # Progress comes with the device's events; the end from the job itself (kiosk.printing).
        self.bridge.when_done(self._job.ended, self._job_ended)

    def _job_ended(self, ended: Future[JobEnd]) -> None:
        event = ended.result()
        if isinstance(event, PrintJobCompleted):
            self._page_done(PAGE_PRINTED, "")
        else:
            self._page_done(PAGE_NOT_PRINTED, JOB_REASONS.get(event.reason, event.reason))

    def _on_job_progress(self, event: PrintJobProgress) -> None:
        stage = {"pending": PAGE_QUEUED, "held": PAGE_HELD}
        self._page_text = stage.get(event.stage, PAGE_PRINTING)
        self.retranslate()

    def _page_done(self, text: str, reason: str) -> None:
        self._job = None
        self._page_text, self._page_reason = text, reason
        if self._page_folder is not None:
            shutil.rmtree(self._page_folder, ignore_errors=True)
            self._page_folder = None
        if self.test_page_button is not None:
            self.test_page_button.setEnabled(True)
        self.retranslate()

    # ---- state --------------------------------------------------------------------------------

    def on_event(self, event: DeviceEvent) -> None:
        if event.device_id != self.device.device_id:
            return
        if isinstance(event, StatusChanged):
            self.show_health(event.health)
        elif (
            isinstance(event, PrintJobProgress)
            and self._job is not None
            and not self._job.done
            and event.job_id == self._job.job_id
        ):
            self._on_job_progress(event)

    def show_health(self, health: DeviceHealth) -> None:
        t = self.ui.t
        state = state_words(t, health.state.value, health.attention.value)
        # The state is spelled out and marked with a symbol, never shown by colour alone.
        mark = "✓" if health.state.usable else "⚠"
        self.state.setText(f"{mark} {t(STATE).format(state=state)}")
        self.state.setProperty("role", "" if health.state.usable else "status-bad")
        self.state.style().unpolish(self.state)
        self.state.style().polish(self.state)
        backend = backend_words(t, health.backend)
        detail = detail_words(t, self.ui.nt, health.detail)
        self.detail.setText(t(DETAIL).format(backend=backend, detail=detail) if detail else backend)
        self.error.setText(
            t(LAST_ERROR).format(error=error_words(t, health.last_error))
            if health.last_error
            else t(NO_ERROR)
        )
        for name, button in self.fault_buttons.items():
            button.blockSignals(True)
            button.setChecked(name in self.device.faults())
            button.blockSignals(False)

    def retranslate(self) -> None:
        t = self.ui.t
        device_name = t(DEVICE_NAMES[self.device.device_class.value])
        self.name.setText(device_name)
        self.test_button.set_label(t(SELF_TEST), f"{t(SELF_TEST)}: {device_name}")
        self.test_button.setAccessibleName(f"{t(SELF_TEST)}: {device_name}")
        text = t(self._test_text) if self._test_text else ""
        said = "; ".join(step_words(t, step) for step in self._steps)
        steps = said if self._test_text != TESTING else ""
        self.test_result.setText(f"{text} ({steps})" if text and steps else text)
        if self.test_page_button is not None:
            self.test_page_button.set_label(t(PRINT_TEST_PAGE))
            page = t(self._page_text) if self._page_text else ""
            reason = t(self._page_reason) if self._page_reason else ""
            mark = {PAGE_PRINTED: "✓ ", PAGE_NOT_PRINTED: "⚠ "}.get(self._page_text, "")
            self.page_result.setText(mark + page.format(reason=reason) if page else "")
            self.page_result.setVisible(bool(page))
        self.faults_label.setText(t(FAULTS))
        for switch in self.device.fault_switches():
            self.fault_buttons[switch.name].set_label(t(switch.label))
        self._reflow_faults()
        self.show_health(self.device.health())

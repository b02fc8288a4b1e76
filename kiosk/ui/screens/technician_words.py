"""Technician mode in words: each device's state, detail and error codes, and the unsettled
payments, as a technician reads them (in fi, sv or en), never the status model's raw values.

An error code the kiosk does not know is shown as it is: a new device's code still reaches the
technician. Codes are shown beside their words, as support and the logs name them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from kiosk.i18n import N_, NP_

Translate = Callable[[str], str]
TranslatePlural = Callable[[str, str, int], str]

DEVICE_NAMES = {
    "printer": N_("Printer"),
    "cardreader": N_("Card reader"),
    "camera": N_("Camera"),
    "payment": N_("Card terminal"),
}
STATE_NAMES = {
    "online": N_("working"),
    "offline": N_("not reachable"),
    "no_device": N_("not connected"),
    "hardware_error": N_("out of order"),
    "user_error": N_("needs attention"),
    "busy": N_("working, busy"),
}
ATTENTION_NAMES = {
    "none": N_("nothing to do"),
    "clear": N_("library staff can fix this"),
    "maintenance": N_("a technician must fix this"),
    "suspend": N_("wait: it recovers by itself"),
}
BACKEND_NAMES = {
    "simulated": N_("simulated device"),
    "none": N_("not in use on this kiosk"),
    "cups": N_("printer through CUPS"),
    "pcsc": N_("reader through PC/SC"),
    "opencv": N_("camera through OpenCV"),
    "nexo": N_("terminal over nexo"),
}
#: (detail key, value) -> words. fps is a number and has its own words.
DETAIL_WORDS = {
    ("paper", "full"): N_("paper: enough"),
    ("paper", "low"): N_("paper: running low"),
    ("paper", "out"): N_("paper: out"),
    ("paper", "jammed"): N_("paper: jammed"),
    ("paper", "unknown"): N_("paper: not known"),
    ("toner", "full"): N_("toner: enough"),
    ("toner", "low"): N_("toner: running low"),
    ("toner", "out"): N_("toner: out"),
    ("toner", "unknown"): N_("toner: not known"),
    ("media", "present"): N_("a card is in the reader"),
    ("media", "not_present"): N_("no card in the reader"),
    ("login", "logged_in"): N_("logged in"),
    ("login", "logged_out"): N_("not logged in"),
}
PICTURES = NP_("{n} picture a second", "{n} pictures a second")
NOT_FILMING = N_("not filming now (it films while someone scans or is on a call)")
ERROR_WORDS = {
    "media-empty": N_("The printer is out of paper."),
    "media-jam": N_("Paper is jammed in the printer."),
    "media-low": N_("The printer's paper is running low."),
    "toner-empty": N_("The printer is out of toner."),
    "toner-low": N_("The printer's toner is running low."),
    "printer-unreachable": N_("The printer does not answer."),
    "queue-missing": N_("CUPS has no print queue of the configured name."),
    "queue-stopped": N_("The print queue in CUPS is stopped."),
    "queue-rejecting": N_("The print queue in CUPS does not accept jobs."),
    "pycups-missing": N_("The printing library (pycups) is not installed."),
    "backend-unavailable": N_("The smart card library (pyscard) is not installed."),
    "pcscd-unavailable": N_("The smart card service (pcscd) does not answer."),
    "reader-not-found": N_("No card reader is connected."),
    "camera-not-found": N_("No camera is connected."),
    "no-frames": N_("The camera gives no pictures."),
    "terminal-unreachable": N_("The card terminal does not answer."),
    "terminal-login-refused": N_("The card terminal refused the kiosk's login."),
    "terminal-maintenance": N_("The card terminal is in maintenance."),
    "terminal-out-of-order": N_("The card terminal is out of order."),
    "terminal-busy": N_("The card terminal is busy."),
    "terminal-shutdown": N_("The card terminal is shutting down."),
}
#: A self-test's steps ("key: value", as the device says them) in words.
STEP_WORDS = {
    "connection: ok": N_("connection: works"),
    "connection: failed": N_("connection: none"),
    "connection: not started": N_("connection: not started"),
    "reader: ok": N_("reader: works"),
    "reader: not found": N_("reader: not found"),
    "card: none": N_("no card in the reader"),
    "camera: ok": N_("camera: works"),
    "camera: not found": N_("camera: not found"),
    "capture: ok": N_("a picture was taken"),
    "capture: failed": N_("no picture could be taken"),
    "cups: ok": N_("CUPS: works"),
    "printer: ok": N_("printer: answers"),
    "printer: unreachable": N_("printer: does not answer"),
    "pcscd: ok": N_("smart card service: works"),
    "no device configured": N_("no device configured"),
}
PAYMENT_STATES = {
    "intent": N_("started, the terminal has not answered"),
    "unknown": N_("outcome not known"),
    "approved": N_("approved, the service not yet given"),
    "reversal_failed": N_("approved, the refund failed"),
}
PURPOSES = {
    "print": N_("printing"),
    "copy": N_("copying"),
}


def state_words(t: Translate, state: str, attention: str) -> str:
    """ "working · nothing to do"."""
    return f"{t(STATE_NAMES.get(state, state))} · {t(ATTENTION_NAMES.get(attention, attention))}"


def detail_words(t: Translate, nt: TranslatePlural, detail: Mapping[str, str]) -> str:
    """A device's detail in words, in the order the device gives it, e.g. "paper: enough,
    toner: running low"; a key the kiosk has no words for is shown as it is."""
    said: list[str] = []
    for key, value in detail.items():
        if key == "fps":
            said.append(_fps_words(t, nt, value))
        elif (key, value) in DETAIL_WORDS:
            said.append(t(DETAIL_WORDS[(key, value)]))
        else:
            said.append(f"{key}: {value}")
    return ", ".join(said)


def _fps_words(t: Translate, nt: TranslatePlural, value: str) -> str:
    try:
        fps = round(float(value))
    except ValueError:
        return f"fps: {value}"
    return nt(*PICTURES, fps).format(n=fps) if fps > 0 else t(NOT_FILMING)


def step_words(t: Translate, step: str) -> str:
    """One self-test step in words; a step the kiosk has no words for as the device says it."""
    if step in STEP_WORDS:
        return t(STEP_WORDS[step])
    key, sep, value = step.partition(": ")
    if sep and (key, value) in DETAIL_WORDS:
        return t(DETAIL_WORDS[(key, value)])
    return step


def error_words(t: Translate, code: str) -> str:
    """ "The printer is out of paper. (media-empty)"; an unknown code as it is."""
    words = ERROR_WORDS.get(code)
    return f"{t(words)} ({code})" if words else code


def backend_words(t: Translate, backend: str) -> str:
    return t(BACKEND_NAMES[backend]) if backend in BACKEND_NAMES else backend


def payment_state_words(t: Translate, state: str) -> str:
    return t(PAYMENT_STATES[state]) if state in PAYMENT_STATES else state


def purpose_words(t: Translate, purpose: str) -> str:
    """What a payment was for: printing, copying, or a fee's own name as configured."""
    return t(PURPOSES[purpose]) if purpose in PURPOSES else purpose

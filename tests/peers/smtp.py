"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, standing in for a site's mail relay
(the hub's deliveries) or an authority's mailbox."""

from __future__ import annotations

from aiosmtpd.smtp import Envelope


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives; it refuses the
    recipients in `refuse` the way a relay does, quoting the address."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[tuple[list[str], bytes]] = []
        self.refuse: set[str] = set()
        self._controller: object | None = None

    async def handle_RCPT(
        self, server: object, session: object, envelope: Envelope, address: str, options: object
    ) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        content = envelope.content
        assert isinstance(content, bytes)
        self.received.append((list(envelope.rcpt_tos), content))
        return "250 OK"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        controller = Controller(self, hostname="127.0.0.1", port=self.port)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()  # type: ignore[attr-defined]
            self._controller = None

"""Video advice on the kiosk: the WebRTC peer and the call's media (no Qt here)."""

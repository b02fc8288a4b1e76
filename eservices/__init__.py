"""The e-services catalogue: which government web services a kiosk offers, and where each may go.

Shared by the hub (which serves one list to every kiosk) and the kiosk (whose browser loads
nothing outside it). Qt-free and free of both: it is data and its checks.
"""

LANGUAGES = ("fi", "sv", "en")

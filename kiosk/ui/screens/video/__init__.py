"""Video advice on the kiosk's screen: the line chooser, the call and its states (screen.py),
the widgets that show them (view.py) and their words (texts.py). The call itself is kiosk.video."""

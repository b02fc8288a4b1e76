"""Speech and the keypad in the window: the engine, the screen reader, the keypad, hold to hear."""

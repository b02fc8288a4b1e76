"""Speech output: what the kiosk says aloud, and when.

Qt-free: what to say of a focused control, a screen, a message or a countdown (`describe`), the
order and interruption of utterances, Repeat, rate and volume and private listening
(`narrator`), the keypad's keys as config names them (`keypad`), the headset jack (`headset`),
and the speech engine's interface (`engine`). The engine itself is Qt's TextToSpeech over
speech-dispatcher, in kiosk.ui.speech.
"""

"""nexo Retailer (Sale-to-POI): the messages, the kiosk's terminal backend, and a terminal
simulator that runs as its own process and speaks the same protocol over HTTP."""

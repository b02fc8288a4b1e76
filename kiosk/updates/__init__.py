"""Updating the kiosk's own software: the version the hub wants, installed by `kiosk-update`
in the maintenance window and taken back when it does not come up healthy (docs/updates.md).

`window` says whether a moment is in the window; `files` reads and writes what kiosk-agent and
kiosk-update tell each other (wanted.json, state.json, agent.json); `apt` runs the package
steps; `health` watches the new version come up; `flow` is one run of the updater; `__main__`
the command. Standard library only, besides the kiosk's own config and logging: the updater
must run whatever else is broken, and everything it runs is loaded before apt replaces it.
"""

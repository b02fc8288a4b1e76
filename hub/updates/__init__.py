"""Updates for the fleet, the hub's part (docs/updates.md "Rollout (hub)"): which version each
kiosk is wanted to run, the admin's API and commands to choose it, and the signed apt
repository served at /apt/."""

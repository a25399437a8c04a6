// The Worker target: fingerprint, allocation runner, status updates (DESIGN.md §3).

"""What every emulated service shares: app, service base, faults, stats, control, servers, records, fake data."""

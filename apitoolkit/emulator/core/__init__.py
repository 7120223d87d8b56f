"""What every emulated service shares: the WSGI app, service base, faults, stats, control, server modes."""

"""Pure logic: standard library and monitor.models only. Time and settings come in as arguments."""

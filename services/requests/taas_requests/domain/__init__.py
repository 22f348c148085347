"""Pure requests domain logic: no I/O, `now` passed in."""

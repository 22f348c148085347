"""Pure availability domain logic: no I/O, `now` passed in."""

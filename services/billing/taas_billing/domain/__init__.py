"""Pure billing domain logic: no I/O, `now` passed in."""

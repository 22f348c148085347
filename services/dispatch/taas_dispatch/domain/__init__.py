"""Pure dispatch domain logic: no I/O, `now` passed in."""

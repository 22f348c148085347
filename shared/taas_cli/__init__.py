"""taas shared kit."""

"""Services: one module per concern, plain Python over the database session (no Flask imports)."""

"""Authentication and authorization exactly as State Backed does it (API.md §2)."""

"""Owned by the jury domain; see its operations."""

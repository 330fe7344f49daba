"""Owned by the results domain; see its operations."""

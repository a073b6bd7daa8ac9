"""Shared entities and business logic of the example application."""

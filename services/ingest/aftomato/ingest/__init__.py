"""Aftomato ingest service."""

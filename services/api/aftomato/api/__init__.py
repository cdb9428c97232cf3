"""Aftomato api service."""

"""Aftomato scheduler service."""

"""Aftomato watcher service."""

"""Tests of the api service."""

"""Helpers for tests/test_hostile_input.py: hostile payloads and strategies, the checks every
response must pass, and a small world of objects to aim them at."""

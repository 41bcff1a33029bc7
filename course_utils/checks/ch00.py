"""Checks for chapter 00's exercises."""
__all__ = []

"""Checks for chapter 01's exercises."""
__all__ = []

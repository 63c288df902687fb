"""Bookmarker's shared layer: every rule of the API lives here; handlers stay thin."""

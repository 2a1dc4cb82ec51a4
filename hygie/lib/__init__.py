"""Helpers shared by every app. Not an app: nothing here has models."""

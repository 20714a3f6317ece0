"""Dialogs and message helpers of the window."""

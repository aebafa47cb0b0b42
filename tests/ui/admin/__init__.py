"""Tests of the Administration window and its sections."""

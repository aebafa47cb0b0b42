"""The Administration window and its sections (issue 5): designers and setup screens."""

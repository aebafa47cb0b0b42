"""The local database: engine with pragmas, migrations, content-addressed blobs, demo data."""

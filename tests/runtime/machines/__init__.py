"""Machine definitions for the runtime tests (loaded as a folder with ``load_path``)."""

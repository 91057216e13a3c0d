"""The ``medbench`` command line: one small module per sub-command."""

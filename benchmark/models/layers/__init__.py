"""Blocks shared by several architectures."""

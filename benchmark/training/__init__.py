"""Training: the one loop, data loading, optimizers, seeding and checkpoints."""

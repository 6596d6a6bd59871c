"""ganzoo.training."""

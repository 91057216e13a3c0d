"""The survey's optimizers (Sect. 2.1.5) by canonical name, and learning-rate schedules."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

from benchmark.config import RunConfig


def build_optimizer(run: RunConfig, params: Iterable[nn.Parameter]) -> torch.optim.Optimizer:
    """The optimizer ``run.optimizer`` names: SGD, SGD with momentum, AdaGrad, RMSProp, Adam or AdaDelta."""
    params = list(params)
    wd = run.weight_decay
    factories = {
        "sgd": lambda: torch.optim.SGD(params, lr=run.lr, weight_decay=wd),
        "momentum": lambda: torch.optim.SGD(params, lr=run.lr, momentum=0.9, weight_decay=wd),
        "adagrad": lambda: torch.optim.Adagrad(params, lr=run.lr, weight_decay=wd),
        "rmsprop": lambda: torch.optim.RMSprop(params, lr=run.lr, weight_decay=wd),
        "adam": lambda: torch.optim.Adam(params, lr=run.lr, betas=run.betas, weight_decay=wd),
        "adadelta": lambda: torch.optim.Adadelta(params, lr=run.lr, weight_decay=wd),
    }
    return factories[run.optimizer]()


def build_scheduler(run: RunConfig, optimizer: torch.optim.Optimizer) -> torch.optim.lr_scheduler.LRScheduler:
    """Per-epoch schedule: ``none`` (constant), ``cosine`` (to zero), or ``multistep`` (x0.1 at 50% and 75%)."""
    if run.scheduler == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=run.epochs)
    if run.scheduler == "multistep":
        milestones = [int(0.5 * run.epochs), int(0.75 * run.epochs)]
        return torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=milestones, gamma=0.1)
    return torch.optim.lr_scheduler.ConstantLR(optimizer, factor=1.0, total_iters=0)

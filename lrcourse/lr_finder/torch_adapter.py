"""The range test on a PyTorch model, leaving no trace on the model or its optimizer.

``torch_range_test(model, optimizer, loss_fn, batches, **kw)`` saves deep copies of
``model.state_dict()`` (parameters and buffers such as BatchNorm statistics) and
``optimizer.state_dict()`` (momentum buffers, Adam moments, step counts, param-group
hyperparameters), the parameters' ``.grad``, ``model.training`` and torch's random-number
state (CPU, and CUDA when initialised: dropout draws after the test are then the ones
you would have had without it). Each batch then sets ``lr`` in every param group, runs
``zero_grad``, forward, ``loss_fn(model(x), y)``, backward, ``optimizer.step()`` (what
torch-lr-finder does, without gradient accumulation or AMP). Everything is put back
when the test ends, also when it raises. ``**kw`` go to ``range_test``.

    result = torch_range_test(model, torch.optim.SGD(model.parameters(), lr=0.1,
                              momentum=0.9), torch.nn.functional.cross_entropy, loader)
    result.plot(); lr = result.suggest()
"""

from __future__ import annotations

import copy

from .batches import cycle_batches
from .range_test import range_test


def torch_range_test(model, optimizer, loss_fn, batches, **kw):
    """Range test on ``model`` with ``optimizer``; model and optimizer are restored after.

    ``batches``: iterable of ``(x, y)``: a list or DataLoader (cycled if shorter than the
    test) or a generator (consumed, never stored: see ``cycle_batches``). Returns an
    ``LRFinderResult``.
    """
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}"
        )
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a callable loss_fn(output, y), got {loss_fn!r}")
    batch_iter = cycle_batches(batches)

    params = list(model.parameters())
    saved_model = copy.deepcopy(model.state_dict())
    saved_optimizer = copy.deepcopy(optimizer.state_dict())
    saved_grads = [None if p.grad is None else p.grad.detach().clone() for p in params]
    saved_training = model.training
    saved_rng = torch.get_rng_state()
    saved_cuda_rng = torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else None

    def train_step(lr):
        for group in optimizer.param_groups:
            group["lr"] = lr
        x, y = next(batch_iter)
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    model.train()
    try:
        return range_test(train_step, **kw)
    finally:
        model.load_state_dict(saved_model)
        optimizer.load_state_dict(saved_optimizer)
        for p, grad in zip(params, saved_grads, strict=True):
            p.grad = grad
        model.train(saved_training)
        torch.set_rng_state(saved_rng)
        if saved_cuda_rng is not None:
            torch.cuda.set_rng_state_all(saved_cuda_rng)

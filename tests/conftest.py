"""Shared pytest configuration: hypothesis profiles and the GPU / browser skips."""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import HealthCheck, settings

# Under pytest-xdist each worker gets its share of the cores for torch/OpenMP (read when torch is
# first imported), so that N workers do not run N x cores threads on a shared machine.
if "PYTEST_XDIST_WORKER_COUNT" in os.environ:
    _share = max(1, (os.cpu_count() or 1) // max(1, int(os.environ["PYTEST_XDIST_WORKER_COUNT"])))
    os.environ.setdefault("OMP_NUM_THREADS", str(_share))
    os.environ.setdefault("MKL_NUM_THREADS", str(_share))

settings.register_profile("ci", max_examples=50, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("THEORYCHECK_HYPOTHESIS_PROFILE", "ci"))


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_gpu = pytest.mark.skip(reason="needs CUDA; none on this machine")
    skip_browser = pytest.mark.skip(reason="needs chromium (apt-get install chromium)")
    run_slow = config.getoption("-m") and "slow" in config.getoption("-m")
    skip_slow = pytest.mark.skip(reason="slow: run with -m slow")
    has_cuda = None
    for item in items:
        if "gpu" in item.keywords:
            if has_cuda is None:
                has_cuda = _cuda_available()
            if not has_cuda:
                item.add_marker(skip_gpu)
        if "browser" in item.keywords and not (shutil.which("chromium")
                                                or shutil.which("chromium-browser")):
            item.add_marker(skip_browser)
        if "slow" in item.keywords and not run_slow:
            item.add_marker(skip_slow)

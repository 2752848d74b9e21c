"""Results keep their requested digits whatever the caller's global mpmath precision is.

A reference engine that silently rounds to mpmath's default 15 digits would still pass tests that
set ``mp.dps`` globally; these run each computation in a fresh interpreter at the default context.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import mpmath as mp
assert mp.mp.dps == 15
from theorycheck.activations import get_activation
from theorycheck.gaussian import expect_mp
from theorycheck.meanfield import MeanField
relu = get_activation("relu")
e = expect_mp(relu.mpmath(0), 1, dps=40, breakpoints=relu.kinks)
erf = get_activation("erf")
chi = MeanField(erf, dps=40).chi1(mp.mpf(1) / 2, mp.mpf(0))
with mp.workdps(60):
    print(mp.nstr(abs(e.value - 1 / mp.sqrt(2 * mp.pi)), 5))
    print(mp.nstr(abs(chi.value - 2 / mp.pi), 5))
"""


@pytest.mark.parametrize("line", [0, 1])
def test_values_carry_requested_digits_at_default_global_precision(line: int) -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         check=True, timeout=300).stdout.split()
    # relu: E relu(z) = 1/sqrt(2 pi); erf at (sw2, sb2) = (1/2, 0): sw2 psi'(0)^2 = 2/pi < 1, so
    # q* = 0 and chi1 = 2/pi
    assert float(out[line]) < 1e-38

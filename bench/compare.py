#!/usr/bin/env python3
"""Agreement check: max |ours - peer| over the states; exits 1 above the tolerance."""
import sys

import numpy as np

ours, peer, tol = sys.argv[1], sys.argv[2], float(sys.argv[3])
a = np.load(ours).astype(np.float64)
b = np.load(peer).astype(np.float64)
err = float(np.max(np.abs(a - b)))
print(f"{err:.2e}")
sys.exit(0 if err <= tol else 1)

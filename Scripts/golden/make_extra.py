"""Generates dc_extra.safetensors and tolerances_extra.json.

Gradient-matching references for ConvNet configurations (instancenorm, relu,
avgpooling, the DC default) at other depths and widths, and for VGG11
(instancenorm) on 1x28x28, in the format and
conventions of golden/dc.safetensors: F32 inputs x_real [8,C,H,W] and
x_syn [2,C,H,W] (label 7), F64 loss and dsyn = d loss / d x_syn through the
second-order graph for the distances ours, mse, cos; parameters from the
splitmix64 fill of golden/README.md. References are computed in float64
from the float32 inputs and the float32-rounded fill.

Inputs: numpy default_rng(SEED), in case order: x_real then x_syn,
standard normal float64 rounded to float32.
Tolerance per key: max(1e-4, 20 x the relative error of the same
computation in PyTorch float32, 3 x the largest relative change of the
float64 reference when x_real and x_syn are multiplied elementwise by
(1 + 1e-6 xi), xi standard normal, 3 draws from default_rng(JITTER_SEED)),
rounded up to two significant digits.
"""
import json
import math
import sys
import time

import numpy as np
import torch

from golden_common import (DISTANCES, case_values, manifest_entry, prepare, rel, write_safetensors)

SEED = 20261204
JITTER_SEED = 20261205
LABEL = 7
N_REAL, N_SYN = 8, 2

# name -> (channel, im, ConvNet kwargs; defaults act relu, norm instancenorm, pool avgpooling[, network])
CASES = [
    ("convnet_d1_c3", 3, 32, {"depth": "1"}),
    ("convnet_d2_c3", 3, 32, {"depth": "2"}),
    ("convnet_d4_c3", 3, 32, {"depth": "4"}),
    ("convnet_w32_c3", 3, 32, {"width": "32"}),
    ("convnet_w64_c3", 3, 32, {"width": "64"}),
    ("convnet_d4_w64_c3", 3, 32, {"width": "64", "depth": "4"}),
    ("convnet_d2_w64_c1", 1, 28, {"width": "64", "depth": "2"}),
    # VGG11 (instancenorm) on 1×28×28, a member of the total-random pool: its
    # image gradients are about 400 times ConvNet's, mostly from the instance
    # norms of its last two convolutions, which normalise 2×2 planes.
    ("vgg11_c1", 1, 28, {}, "VGG11"),
]


def round_up(x, digits=2):
    e = math.floor(math.log10(x)) - (digits - 1)
    return float(f"{math.ceil(x / 10.0 ** e - 1e-9) * 10.0 ** e:.{digits}g}")


def main():
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    rng = np.random.default_rng(SEED)
    jrng = np.random.default_rng(JITTER_SEED)
    tensors, manifest, tolerances, details = {}, {}, {}, {}
    for name, channel, im, kwargs, *network in CASES:
        t0 = time.time()
        entry = manifest_entry(network[0] if network else "ConvNet", channel, im, kwargs)
        manifest[name] = entry
        x_real = rng.standard_normal((N_REAL, channel, im, im)).astype(np.float32)
        x_syn = rng.standard_normal((N_SYN, channel, im, im)).astype(np.float32)
        tensors[f"{name}/x_real"] = x_real
        tensors[f"{name}/x_syn"] = x_syn
        tensors[f"{name}/label"] = np.array([LABEL], dtype=np.int64)

        net64 = prepare(entry, torch.float64)
        ref = case_values(net64, x_real.astype(np.float64), x_syn.astype(np.float64), LABEL, torch.float64)
        net32 = prepare(entry, torch.float32)
        f32 = case_values(net32, x_real, x_syn, LABEL, torch.float32)
        jit = {d: [0.0, 0.0] for d in DISTANCES}
        for _ in range(3):
            xr = x_real.astype(np.float64) * (1 + 1e-6 * jrng.standard_normal(x_real.shape))
            xs = x_syn.astype(np.float64) * (1 + 1e-6 * jrng.standard_normal(x_syn.shape))
            r = case_values(net64, xr, xs, LABEL, torch.float64)
            for d in DISTANCES:
                jit[d][0] = max(jit[d][0], rel(r[d][0], ref[d][0]))
                jit[d][1] = max(jit[d][1], rel(r[d][1], ref[d][1]))
        for d in DISTANCES:
            for i, what in enumerate(("loss", "dsyn")):
                key = f"{name}/{d}/{what}"
                tensors[key] = ref[d][i].astype(np.float64)
                e32 = rel(f32[d][i], ref[d][i])
                tol = round_up(max(1e-4, 20 * e32, 3 * jit[d][i]))
                tolerances[f"dc_extra:{key}"] = tol
                details[key] = {"f32_rel": e32, "jitter_rel": jit[d][i], "tol": tol}
                print(f"{key:36s} f32 {e32:.2e} jitter {jit[d][i]:.2e} tol {tol:.2g}", flush=True)
        print(f"{name}: {time.time() - t0:.1f}s", flush=True)

    write_safetensors("dc_extra.safetensors", tensors, {"manifest": json.dumps(manifest)})
    with open("tolerances_extra.json", "w") as f:
        json.dump(dict(sorted(tolerances.items())), f, indent=1)
        f.write("\n")
    with open("tolerances_extra_details.json", "w") as f:
        json.dump(details, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

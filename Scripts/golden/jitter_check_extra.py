"""usage: jitter_check_extra.py N SEED OUT_JSON
Extra jitter draws on dc_extra.safetensors: does any draw move a value beyond its tolerance?"""
import json, sys
import numpy as np, torch
from golden_common import DISTANCES, case_values, prepare, read_safetensors, rel
torch.set_num_threads(2)
n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
result = {}
T, meta = read_safetensors("dc_extra.safetensors"); man = json.loads(meta["manifest"])
tol = json.load(open("tolerances_extra.json"))
rng = np.random.default_rng(seed)
for case in man:
    net = prepare(man[case], torch.float64)
    xr0, xs0, lab = T[case + "/x_real"].astype(np.float64), T[case + "/x_syn"].astype(np.float64), T[case + "/label"][0]
    worst = {(d, w): 0.0 for d in DISTANCES for w in ("loss", "dsyn")}
    for _ in range(n):
        r = case_values(net, xr0 * (1 + 1e-6 * rng.standard_normal(xr0.shape)),
                        xs0 * (1 + 1e-6 * rng.standard_normal(xs0.shape)), lab, torch.float64)
        for d in DISTANCES:
            for i, w in enumerate(("loss", "dsyn")):
                worst[(d, w)] = max(worst[(d, w)], rel(r[d][i], T[f"{case}/{d}/{w}"]))
    result.update({f"{case}/{d}/{w}": v for (d, w), v in worst.items()})
    json.dump(result, open(out, "w"), indent=1)
    print(case, " ".join(f"{d}/{w} {v:.1e}/{tol[f'dc_extra:{case}/{d}/{w}']:.1e}{' OVER' if v > tol[f'dc_extra:{case}/{d}/{w}'] else ''}"
                         for (d, w), v in worst.items()), flush=True)

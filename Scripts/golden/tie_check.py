"""Which max-pool window decides the jitter jumps of a dc case (diagnostic)."""
import json, sys
import numpy as np, torch, torch.nn as nn
from golden_common import DISTANCES, case_values, prepare, read_safetensors, rel
torch.set_num_threads(2)
case, n_jit = sys.argv[1], int(sys.argv[2])
T, meta = read_safetensors(sys.argv[3] if len(sys.argv) > 3 else "../shared/golden/dc.safetensors")
e = json.loads(meta["manifest"])[case]
xr0, xs0, label = T[case + "/x_real"], T[case + "/x_syn"], T[case + "/label"][0]
x_bn = T.get(case + "/x_bn")
net64 = prepare(e, torch.float64, x_bn); net32 = prepare(e, torch.float32, x_bn)

def pool_inputs(net, x, dtype):
    out = []; x = torch.as_tensor(x).to(dtype)
    with torch.no_grad():
        for layer in net.features:
            if isinstance(layer, nn.MaxPool2d): out.append(x.clone().numpy())
            x = layer(x)
    return out

def near(pins, k=3):
    res = []
    for p, a in enumerate(pins):
        n, c, h, w = a.shape
        win = a.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h // 2, w // 2, 4)
        s = -np.sort(-win, axis=-1)
        gap = np.where(s[..., 0] == 0, np.inf, (s[..., 0] - s[..., 1]) / np.abs(s[..., 0]))
        for flat in np.argsort(gap, axis=None)[:k]:
            i = np.unravel_index(flat, gap.shape)
            res.append((p + 1, i, gap[i], int(np.argmax(win[i]))))
    return res

for which, x in (("real", xr0), ("syn", xs0)):
    p64 = pool_inputs(net64, x.astype(np.float64), torch.float64)
    p32 = pool_inputs(net32, x, torch.float32)
    for pool, i, g, am in near(p64, 2):
        w32 = p32[pool - 1].reshape(p32[pool-1].shape[0], p32[pool-1].shape[1], p32[pool-1].shape[2]//2, 2, p32[pool-1].shape[3]//2, 2).transpose(0,1,2,4,3,5)[i].ravel()
        w64 = p64[pool - 1].reshape(p64[pool-1].shape[0], p64[pool-1].shape[1], p64[pool-1].shape[2]//2, 2, p64[pool-1].shape[3]//2, 2).transpose(0,1,2,4,3,5)[i].ravel()
        print(f"{which} pool{pool} window {i} gap {g:.2e} argmax f64 {am} (window f64 {w64.tolist()}) f32 argmax {int(np.argmax(w32))} (window f32 {w32.tolist()})")

ref = case_values(net64, xr0.astype(np.float64), xs0.astype(np.float64), label, torch.float64)
rng = np.random.default_rng(7)
tracked = [(w, t[0], t[1]) for w, x in (("real", xr0), ("syn", xs0)) for t in near(pool_inputs(net64, x.astype(np.float64), torch.float64), 1)]
for k in range(n_jit):
    xr = xr0.astype(np.float64) * (1 + 1e-6 * rng.standard_normal(xr0.shape))
    xs = xs0.astype(np.float64) * (1 + 1e-6 * rng.standard_normal(xs0.shape))
    r = case_values(net64, xr, xs, label, torch.float64)
    pr, ps = pool_inputs(net64, xr, torch.float64), pool_inputs(net64, xs, torch.float64)
    flips = []
    for w, pool, i in tracked:
        a = (pr if w == "real" else ps)[pool - 1]
        win = a.reshape(a.shape[0], a.shape[1], a.shape[2]//2, 2, a.shape[3]//2, 2).transpose(0,1,2,4,3,5)[i].ravel()
        flips.append(f"{w}p{pool}:{int(np.argmax(win))}")
    print(k, " ".join(f"{d} {rel(r[d][1], ref[d][1]):.2e}" for d in DISTANCES), " ".join(flips), flush=True)

"""Shared pieces for the gradient-matching golden references.

Safetensors reading and writing, the splitmix64 parameter fill of
golden/README.md, the DC-codebase networks (ConvNet, VGG11/VGG11BN), the
matching distances of DC's `match_loss` and the second-order loss / dsyn.
"""
import json
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.use_deterministic_algorithms(False)

# ---------------------------------------------------------------- safetensors

_DT = {"F32": "<f4", "F64": "<f8", "I64": "<i8"}
_DT_REV = {np.dtype("<f4"): "F32", np.dtype("<f8"): "F64", np.dtype("<i8"): "I64"}


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for k, v in header.items():
        s, e = v["data_offsets"]
        out[k] = np.frombuffer(blob[8 + n + s:8 + n + e], _DT[v["dtype"]]).reshape(v["shape"]).copy()
    return out, meta


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    offset = 0
    chunks = []
    for k in sorted(tensors):
        a = np.ascontiguousarray(tensors[k])
        a = a.astype(a.dtype.newbyteorder("<"), copy=False)
        b = a.tobytes()
        header[k] = {"dtype": _DT_REV[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        chunks.append(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in chunks:
            f.write(b)


# ---------------------------------------------------------------- fill

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _splitmix64(x):
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def u(j, n):
    i = np.arange(n, dtype=np.uint64)
    x = (np.uint64(j) << np.uint64(32)) + i
    return (_splitmix64(x) >> np.uint64(40)).astype(np.float64) / 2.0 ** 23 - 1.0


def fill(params, buffers):
    """Returns {name: float32 ndarray} for params and buffers of a manifest entry."""
    out = {}
    for j, (name, shape, role, fan_in) in enumerate(params):
        n = int(np.prod(shape))
        v = u(j, n)
        if role in ("weight", "bias"):
            v = v / np.sqrt(fan_in)
        elif role == "norm_weight":
            v = 1.0 + 0.1 * v
        elif role == "norm_bias":
            v = 0.1 * v
        else:
            raise ValueError(role)
        out[name] = v.astype(np.float32).reshape(shape)
    for name, shape, role, k in buffers:
        n = int(np.prod(shape))
        v = u(1000 + k, n)
        if role == "running_mean":
            v = 0.1 * v
        elif role == "running_var":
            v = 1.0 + 0.5 * np.abs(v)
        else:
            raise ValueError(role)
        out[name] = v.astype(np.float32).reshape(shape)
    return out


# ---------------------------------------------------------------- networks (DC codebase)

class Swish(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(x)


def _act(name):
    return {"relu": lambda: nn.ReLU(), "sigmoid": lambda: nn.Sigmoid(),
            "leakyrelu": lambda: nn.LeakyReLU(negative_slope=0.01), "swish": lambda: Swish()}[name]()


def _norm(name, shape_feat):
    c = shape_feat[0]
    if name == "batchnorm":
        return nn.BatchNorm2d(c, affine=True)
    if name == "layernorm":
        return nn.LayerNorm(shape_feat, elementwise_affine=True)
    if name == "instancenorm":
        return nn.GroupNorm(c, c, affine=True)
    if name == "groupnorm":
        return nn.GroupNorm(4, c, affine=True)
    raise ValueError(name)


def _pool(name):
    return {"maxpooling": lambda: nn.MaxPool2d(2, 2), "avgpooling": lambda: nn.AvgPool2d(2, 2)}[name]()


class ConvNet(nn.Module):
    def __init__(self, channel, num_classes, width=128, depth=3, act="relu", norm="instancenorm",
                 pool="avgpooling", im=32):
        super().__init__()
        layers = []
        in_c = channel
        hw = 32 if im == 28 else im
        shape_feat = [in_c, hw, hw]
        for d in range(depth):
            layers += [nn.Conv2d(in_c, width, 3, padding=3 if channel == 1 and d == 0 else 1)]
            shape_feat[0] = width
            if norm != "none":
                layers += [_norm(norm, list(shape_feat))]
            layers += [_act(act)]
            in_c = width
            if pool != "none":
                layers += [_pool(pool)]
                shape_feat[1] //= 2
                shape_feat[2] //= 2
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(shape_feat[0] * shape_feat[1] * shape_feat[2], num_classes)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


class VGG11(nn.Module):
    cfg = [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]

    def __init__(self, channel, num_classes, norm="instancenorm"):
        super().__init__()
        layers = []
        in_c = channel
        for ic, x in enumerate(self.cfg):
            if x == "M":
                layers += [nn.MaxPool2d(2, 2)]
            else:
                layers += [nn.Conv2d(in_c, x, 3, padding=3 if channel == 1 and ic == 0 else 1),
                           nn.GroupNorm(x, x, affine=True) if norm == "instancenorm" else nn.BatchNorm2d(x),
                           nn.ReLU(inplace=True)]
                in_c = x
        layers += [nn.AvgPool2d(1, 1)]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(512, num_classes)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


def build(entry, dtype):
    """The manifest entry's network, filled, in `dtype`."""
    classes = entry["params"][-1][1][0]
    kw = dict(entry.get("kwargs", {}))
    if entry["net"] == "ConvNet":
        args = {}
        for k, v in kw.items():
            k = "act" if k == "act_" else k
            args[k] = int(v) if k in ("width", "depth") else v
        net = ConvNet(entry["channel"], classes, im=entry["im"], **args)
    elif entry["net"] in ("VGG11", "VGG11BN"):
        net = VGG11(entry["channel"], classes, norm="batchnorm" if entry["net"] == "VGG11BN" else "instancenorm")
    else:
        raise ValueError(entry["net"])
    sd = net.state_dict()
    filled = fill(entry["params"], entry.get("buffers", []))
    names = [p[0] for p in entry["params"]]
    assert names == [k for k, _ in net.named_parameters()], (names, [k for k, _ in net.named_parameters()])
    for p in entry["params"]:
        assert list(sd[p[0]].shape) == list(p[1]), p
    for k, v in filled.items():
        sd[k] = torch.from_numpy(v)
    net.load_state_dict(sd)
    return net.to(dtype)


def manifest_entry(net, channel, im, kwargs, classes=10):
    """params / buffers lists in the manifest's convention for a ConvNet / VGG."""
    if net == "ConvNet":
        args = {("act" if k == "act_" else k): (int(v) if k in ("width", "depth") else v) for k, v in kwargs.items()}
        m = ConvNet(channel, classes, im=im, **args)
    elif net in ("VGG11", "VGG11BN") and not kwargs:
        m = VGG11(channel, classes, norm="batchnorm" if net == "VGG11BN" else "instancenorm")
    else:
        raise ValueError(net)
    params = []
    modules = dict(m.named_modules())
    for name, p in m.named_parameters():
        mod = modules[name.rsplit(".", 1)[0]]
        leaf = name.rsplit(".", 1)[1]
        if isinstance(mod, (nn.Conv2d, nn.Linear)):
            role = leaf
            fan_in = int(np.prod(mod.weight.shape[1:]))
        else:
            role = "norm_" + leaf
            fan_in = 0
        params.append([name, list(p.shape), role, fan_in])
    buffers = []
    k = 0
    for name, b in m.named_buffers():
        if name.endswith("num_batches_tracked"):
            continue
        buffers.append([name, list(b.shape), name.rsplit(".", 1)[1], k])
        k += 1
    return {"params": params, "buffers": buffers, "net": net, "kwargs": kwargs, "channel": channel, "im": im}


# ---------------------------------------------------------------- matching

def distance_wb(gs, gr):
    shape = gs.shape
    if len(shape) == 4:
        gs = gs.reshape(shape[0], shape[1] * shape[2] * shape[3])
        gr = gr.reshape(shape[0], shape[1] * shape[2] * shape[3])
    elif len(shape) == 3:
        gs = gs.reshape(shape[0], shape[1] * shape[2])
        gr = gr.reshape(shape[0], shape[1] * shape[2])
    elif len(shape) == 1:
        return torch.zeros((), dtype=gs.dtype)
    return torch.sum(1 - torch.sum(gr * gs, dim=-1) / (torch.norm(gr, dim=-1) * torch.norm(gs, dim=-1) + 0.000001))


def match_loss(gw_syn, gw_real, dis):
    if dis == "ours":
        d = torch.zeros((), dtype=gw_syn[0].dtype)
        for a, b in zip(gw_syn, gw_real):
            d = d + distance_wb(a, b)
        return d
    vs = torch.cat([g.reshape(-1) for g in gw_syn])
    vr = torch.cat([g.reshape(-1) for g in gw_real])
    if dis == "mse":
        return torch.sum((vs - vr) ** 2)
    if dis == "cos":
        return 1 - torch.sum(vr * vs, dim=-1) / (torch.norm(vr, dim=-1) * torch.norm(vs, dim=-1) + 0.000001)
    raise ValueError(dis)


DISTANCES = ("ours", "mse", "cos")


def prepare(entry, dtype, x_bn=None):
    """Filled network; BatchNorm networks see x_bn once in train mode, then go to eval."""
    net = build(entry, dtype)
    has_bn = any(isinstance(m, nn.BatchNorm2d) for m in net.modules())
    if has_bn:
        net.train()
        with torch.no_grad():
            net(torch.as_tensor(x_bn).to(dtype))
        net.eval()
    else:
        net.train()
    return net


def case_values(net, x_real, x_syn, label, dtype):
    """{distance: (loss float, dsyn ndarray)} in `dtype`."""
    params = list(net.parameters())
    xr = torch.as_tensor(x_real).to(dtype)
    lab_r = torch.full((xr.shape[0],), int(label), dtype=torch.long)
    out_r = net(xr)
    g_real = torch.autograd.grad(F.cross_entropy(out_r, lab_r), params)
    g_real = [g.detach() for g in g_real]
    res = {}
    for dis in DISTANCES:
        xs = torch.as_tensor(x_syn).to(dtype).clone().requires_grad_(True)
        lab_s = torch.full((xs.shape[0],), int(label), dtype=torch.long)
        g_syn = torch.autograd.grad(F.cross_entropy(net(xs), lab_s), params, create_graph=True)
        loss = match_loss(g_syn, g_real, dis)
        dsyn, = torch.autograd.grad(loss, xs)
        res[dis] = (np.array([loss.item()], dtype=np.float64), dsyn.detach().to(torch.float64).numpy())
    return res


def rel(a, r):
    a = np.asarray(a, np.float64).ravel()
    r = np.asarray(r, np.float64).ravel()
    return float(np.linalg.norm(a - r) / np.linalg.norm(r))

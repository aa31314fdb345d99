"""tolerances_extra_20draws.json: the README rule with the jitter term taken over
20 draws (the 3 of make_extra.py, 7 from default_rng(100), 10 from default_rng(99);
see jitter_check_extra.py) instead of 3."""
import json
from make_extra import round_up
det = json.load(open("tolerances_extra_details.json"))
a, b = json.load(open("jitter_seed100_n7.json")), json.load(open("jitter_seed99_n10.json"))
out = {}
for k, v in det.items():
    jit = max(v["jitter_rel"], a[k], b[k])
    out[f"dc_extra:{k}"] = round_up(max(1e-4, 20 * v["f32_rel"], 3 * jit))
json.dump(dict(sorted(out.items())), open("tolerances_extra_20draws.json", "w"), indent=1)
old = json.load(open("tolerances_extra.json"))
for k in sorted(out):
    if out[k] != old[k]:
        print(k, old[k], "->", out[k])

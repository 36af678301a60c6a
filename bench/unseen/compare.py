"""Compares a bench/unseen/run's findings with bench/triage/unseen.tsv:
counts per rule and verdict, then every finding the triage does not have."""
import glob, json, subprocess, sys
from collections import Counter

triage, out = sys.argv[1], sys.argv[2]
modcache = subprocess.check_output(["go", "env", "GOMODCACHE"], text=True).strip() + "/"
known = {}
for line in open(triage):
    if line.startswith("#") or not line.strip():
        continue
    f = line.rstrip("\n").split("\t")
    known[(f[0], f[1])] = f[2]
counts, new = Counter(), []
for path in sorted(glob.glob(out + "/*.json")):
    try:
        report = json.load(open(path))
    except ValueError:
        print("unreadable (timed out?):", path)
        continue
    for x in report.get("findings", []):
        pos = x["file"].replace(modcache, "") + ":" + str(x["line"])
        verdict = known.get((pos, x["rule"]), "NEW")
        counts[(x["rule"], verdict)] += 1
        if verdict == "NEW":
            new.append("\t".join((x["rule"], pos, x["message"][:200])))
for key in sorted(counts):
    print(*key, counts[key])
print("not in the triage:", len(new))
print("\n".join(new))

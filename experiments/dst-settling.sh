#!/usr/bin/env bash
# Has each search's derived cell settled? For every search unit of an experiment run folder that
# still has its metrics.jsonl (kept copies do not: run it on the run folder), the Jaccard index of
# the kept (cell, node, input, op) candidates of the last epoch's derived cells against those of
# 1, 2 and 5 epochs before (1 = unchanged), the candidates kept by one of the last two epochs
# only (a Jaccard index weighs one changed candidate more in a small cell; this count does not),
# and the candidates kept at the end. The same measure
# as `Genotype.agreement` and metrics.jsonl's genotype_agreement (docs/usage.md#derived-cell-settling),
# for searches that ran before the search recorded it. Checking side: python3.
# FOLDER: an experiment's run folder, or a folder of search folders.
# usage: experiments/dst-settling.sh FOLDER [LABEL]
set -euo pipefail
folder="${1:?usage: experiments/dst-settling.sh FOLDER [LABEL]}"
label="${2:-$(basename "$folder")}"
shopt -s nullglob
files=("$folder"/units/search-*/metrics.jsonl)
# Not an experiment: a folder of plain search folders (settle-e20.sh's).
[ ${#files[@]} -gt 0 ] || files=("$folder"/*/metrics.jsonl)
[ ${#files[@]} -gt 0 ] || { echo "error: no units/search-*/metrics.jsonl or */metrics.jsonl in $folder; kept copies lack them, give the run folder" >&2; exit 1; }
python3 - "$label" "${files[@]}" <<'EOF'
import json, re, sys
label, paths = sys.argv[1], sys.argv[2:]
def kept(text):  # {(cell, node, input, op)} of a genotype's DARTS text, nested (DST) form or flat
    out = set()
    for cell in ("normal", "reduce"):
        body = re.search(cell + r"=\[(.*?)\], " + cell + "_concat", text).group(1)
        nodes = re.findall(r"\[((?:\('[a-z_0-9]+', \d+\)(?:, )?)+)\]", body)
        if not nodes:  # flat DARTS form: two pairs per node
            pairs = re.findall(r"\('([a-z_0-9]+)', (\d+)\)", body)
            nodes = [pairs[i:i + 2] for i in range(0, len(pairs), 2)]
        else:
            nodes = [re.findall(r"\('([a-z_0-9]+)', (\d+)\)", n) for n in nodes]
        for j, pairs in enumerate(nodes):
            out |= {(cell, j, int(i), op) for op, i in pairs}
    return out
def jaccard(a, b): return len(a & b) / len(a | b)
print("| search | against 1 epoch before | 2 before | 5 before | changed since 1 before | kept at the end |")
print("|---|---:|---:|---:|---:|---:|")
for path in paths:
    records = [json.loads(line) for line in open(path) if line.strip()]
    if not records or "genotype" not in records[-1]: continue  # a training's metrics, not a search's
    cells = [kept(r["genotype"]) for r in records]
    unit = path.split("/")[-2].replace("search-", "")
    back = lambda k: f"{jaccard(cells[-1 - k], cells[-1]):.2f}" if len(cells) > k else "-"
    changed = len(cells[-1] ^ cells[-2]) if len(cells) > 1 else "-"
    print(f"| {label}, {unit} | {back(1)} | {back(2)} | {back(5)} | {changed} | {len(cells[-1])} |")
EOF

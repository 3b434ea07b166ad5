#!/usr/bin/env bash
# Checks that the documentation's references resolve:
#   1. every local link in README.md and the markdown under docs/, experiments/, benchmarks/ and
#      Examples/ ([text](path), [text](path#anchor), [text](#anchor), ![alt](path), [label]: path)
#      names a file or folder that exists, and its anchor a heading (GitHub's slug) or an
#      <a id="..."> / <a name="..."> of that file;
#   2. no <a id="..."> is given twice in one markdown file;
#   3. every docs/<file>.md or docs/<file>.md#<anchor> cited in Sources/, Tests/, scripts/,
#      benchmarks/, Examples/, .ci/ and Package.swift resolves the same way.
# Web links (http, https, mailto) and anything inside fenced code blocks or `code spans` of the
# markdown are skipped. Prints each broken one as FILE:LINE: broken link TARGET and exits 1, or
# prints "doc links: N checked, all resolve". Runs from any folder.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Every path in the working tree, build outputs and run folders left out.
find . \( -name .git -o -name '.build' -o -name '.build-*' -o -name '.build_*' -o -name .swiftpm \
          -o -name .gpu-carry -o -name runs -o -name node_modules \) -prune -o -print \
  | sed 's|^\./||' | grep -v '^\.$' > "$tmp/paths"

# Markdown whose links are checked; every markdown file is read for its anchors.
grep -E '^(README\.md|(docs|experiments|benchmarks|Examples)/.*\.md)$' "$tmp/paths" > "$tmp/checked" || true
grep -E '\.md$' "$tmp/paths" > "$tmp/all-md" || true

# Citations in code: FILE:LINE:docs/<file>.md[#anchor], markdown excluded (checked as links above).
code=()
while IFS= read -r path; do
  [ -f "$path" ] && code+=("$path")
done < <(grep -E '^(Package\.swift|(Sources|Tests|scripts|benchmarks|Examples|\.ci)/.*)$' "$tmp/paths" | grep -v '\.md$')
: > "$tmp/citations"
if ((${#code[@]})); then
  grep -nHIoE '(^|[^A-Za-z0-9_./-])docs/[A-Za-z0-9_./-]+\.md(#[A-Za-z0-9_-]+)?' "${code[@]}" > "$tmp/citations" || true
fi

mapfile -t all_md < "$tmp/all-md"
mapfile -t checked < "$tmp/checked"

awk -v paths="$tmp/paths" -v citations="$tmp/citations" '
function normalise(path,    n, parts, out, i, k) {
  n = split(path, parts, "/"); k = 0
  for (i = 1; i <= n; i++) {
    if (parts[i] == "" || parts[i] == ".") continue
    if (parts[i] == "..") { if (k == 0) return "/.."; k--; continue }
    out[++k] = parts[i]
  }
  path = ""
  for (i = 1; i <= k; i++) path = path (i > 1 ? "/" : "") out[i]
  return path
}
function dirname(path) { return (path ~ /\//) ? substr(path, 1, match(path, /\/[^\/]*$/) - 1) : "" }
function add_anchor(file, slug,    base, n) {
  base = slug
  if ((file SUBSEP base) in seen) {
    n = seen[file SUBSEP base]
    seen[file SUBSEP base] = n + 1
    slug = base "-" n
  } else seen[file SUBSEP base] = 1
  anchor[file SUBSEP slug] = 1
}
# GitHub: the heading text as rendered, lowercased, punctuation but - and _ removed, spaces to -.
function slugs(file, text,    s, ascii) {
  sub(/^[ \t]*#+[ \t]*/, "", text); sub(/[ \t]+#+[ \t]*$/, "", text); sub(/[ \t]+$/, "", text)
  while (match(text, /\[[^\]]*\]\([^)]*\)/)) {
    s = substr(text, RSTART + 1, RLENGTH - 2); sub(/\]\(.*$/, "", s)
    text = substr(text, 1, RSTART - 1) s substr(text, RSTART + RLENGTH)
  }
  gsub(/<[^>]*>/, "", text)
  text = tolower(text)
  s = text; gsub(/[^a-z0-9_ \200-\377-]/, "", s); gsub(/ /, "-", s)
  add_anchor(file, s)
  ascii = text; gsub(/[^a-z0-9_ -]/, "", ascii); gsub(/ /, "-", ascii)
  if (ascii != s) anchor[file SUBSEP ascii] = 1     # a non-ASCII symbol GitHub drops
}
function explicit_anchors(file, line,    s) {
  while (match(line, /<a[ \t]+(id|name)="[^"]*"/)) {
    s = substr(line, RSTART, RLENGTH); sub(/^[^"]*"/, "", s); sub(/"$/, "", s)
    # An id given twice makes a link to it land on the first; a reader meant one place.
    if ((file SUBSEP s) in explicit) { print file ":" FNR ": anchor " s " already given at line " explicit[file SUBSEP s]; bad++ }
    explicit[file SUBSEP s] = FNR
    anchor[file SUBSEP s] = 1
    line = substr(line, RSTART + RLENGTH)
  }
}
# Resolves TARGET seen at WHERE (FILE:LINE) from folder BASE; reports it when broken.
function check(where, base, target,    path, frag, i, resolved) {
  checked_count++
  frag = ""
  i = index(target, "#")
  if (i) { frag = substr(target, i + 1); path = substr(target, 1, i - 1) } else path = target
  gsub(/%20/, " ", path)
  if (path == "") resolved = base_file
  else if (substr(path, 1, 1) == "/") resolved = normalise(substr(path, 2))
  else resolved = normalise((base == "" ? "" : base "/") path)
  if (resolved == "/.." || !(resolved in exists)) { broken(where, target); return }
  if (frag == "") return
  if (resolved ~ /\.md$/) { if (!((resolved SUBSEP frag) in anchor)) broken(where, target); return }
  if (frag !~ /^L[0-9]+(-L[0-9]+)?$/) broken(where, target)
}
function broken(where, target) { print where ": broken link " target; bad++ }
function fence(line) { return line ~ /^[ \t]*(```|~~~)/ }

BEGIN {
  while ((getline p < paths) > 0) exists[p] = 1
  close(paths)
}
FNR == 1 { infence = 0 }
pass == 1 {
  if (fence($0)) { infence = !infence; next }
  if (infence) next
  if ($0 ~ /^ ? ? ?#+[ \t]/) slugs(FILENAME, $0)
  explicit_anchors(FILENAME, $0)
  next
}
pass == 2 {
  if (fence($0)) { infence = !infence; next }
  if (infence) next
  line = $0
  gsub(/``[^`]*``/, "", line); gsub(/`[^`]*`/, "", line)
  base_file = FILENAME; base = dirname(FILENAME)
  if (match(line, /^ ? ? ?\[[^\]]+\]:[ \t]+[^ \t]+/)) {
    t = line; sub(/^ ? ? ?\[[^\]]+\]:[ \t]+/, "", t); sub(/[ \t].*$/, "", t); gsub(/^<|>$/, "", t)
    if (t !~ /^[a-zA-Z][a-zA-Z0-9+.-]*:/) check(FILENAME ":" FNR, base, t)
    next
  }
  while (match(line, /\]\([^)]*\)/)) {
    t = substr(line, RSTART + 2, RLENGTH - 3)
    line = substr(line, RSTART + RLENGTH)
    sub(/^[ \t]+/, "", t)
    if (t ~ /^</) { sub(/^</, "", t); sub(/>.*$/, "", t) } else sub(/[ \t].*$/, "", t)
    if (t == "" || t ~ /^[a-zA-Z][a-zA-Z0-9+.-]*:/) continue
    check(FILENAME ":" FNR, base, t)
  }
  next
}
END {
  while ((getline c < citations) > 0) {
    i = index(c, ":"); file = substr(c, 1, i - 1); c = substr(c, i + 1)
    i = index(c, ":"); ln = substr(c, 1, i - 1); t = substr(c, i + 1)
    sub(/^[^d]*/, "", t)            # the character before docs/, if any
    base_file = ""
    check(file ":" ln, "", t)
  }
  if (bad) exit 1
  printf "doc links: %d checked, all resolve\n", checked_count
}
' pass=1 "${all_md[@]}" pass=2 "${checked[@]}"

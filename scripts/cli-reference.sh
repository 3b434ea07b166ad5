#!/usr/bin/env bash
# Writes docs/cli.md, the flag reference: every subcommand's --help, as the binary prints it, so
# the reference cannot drift from the code (CLIReferenceTests fails when it does).
#   scripts/cli-reference.sh [BINARY] [OUTPUT]   (defaults: .build/release/entrannas, docs/cli.md)
set -euo pipefail
binary=${1:-.build/release/entrannas}
output=${2:-docs/cli.md}
[[ -x $binary ]] || { echo "cli-reference: $binary is not an executable; build it with swift build -c release" >&2; exit 1; }

# The help wraps at the terminal's width: a fixed one makes the file the same everywhere.
export COLUMNS=100 ENTRANNAS_THREADS=1
help_of() { "$binary" "$@" --help; }

# The subcommands, in the order the top-level help lists them.
mapfile -t commands < <(help_of | awk '/^SUBCOMMANDS:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
[[ ${#commands[@]} -gt 0 ]] || { echo "cli-reference: $binary --help lists no subcommands" >&2; exit 1; }

tmp=$(mktemp "$output.XXXXXX")
helps=$(mktemp -d "$output.help.XXXXXX")
trap 'rm -rf "$tmp" "$helps"' EXIT
# Each help in a process of its own, all at once (each start loads libtorch, about a second of a
# debug build's CPU); a failing one fails the script at its wait.
pids=()
for command in "${commands[@]}"; do help_of "$command" > "$helps/$command" & pids+=($!); done
for pid in "${pids[@]}"; do wait "$pid"; done
{
    echo "# Command-line reference"
    echo
    echo "Every subcommand's \`--help\`, as the binary prints it; written by \`scripts/cli-reference.sh\`"
    echo "(do not edit by hand: \`CLIReferenceTests\` compares this file with the binary). What the"
    echo "commands are for: [usage.md](usage.md); the presets' values: [presets.md](presets.md)."
    echo
    echo '```text'
    help_of
    echo '```'
    for command in "${commands[@]}"; do
        echo
        echo "<a id=\"$command\"></a>"
        echo "## entrannas $command"
        echo
        echo '```text'
        cat "$helps/$command"
        echo '```'
    done
} > "$tmp"
chmod 644 "$tmp"
mv "$tmp" "$output"
rm -rf "$helps"
trap - EXIT

#!/usr/bin/env bash
# Runs `roost job validate` over the corpus of real Nomad job files in
# ../shared/conformance/nomad-jobspecs and prints a table: what each file should do (decode,
# or fail for the NEGATIVE rows of the folder's README), what it did, and its first diagnostic.
# Exits 1 if any file does not behave as expected. The corpus is test data kept outside the
# repository; without it the script says so and succeeds.
#
#   contrib/conformance.sh ROOST_BINARY        (make conformance builds roost and calls this)
#   CONFORMANCE_DIR=path contrib/conformance.sh ROOST_BINARY
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 ROOST_BINARY" >&2
    exit 64
fi
roost=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${CONFORMANCE_DIR:-$root/../shared/conformance/nomad-jobspecs}"

if [[ ! -d "$corpus" ]]; then
    echo "skipped: no conformance corpus at ${CONFORMANCE_DIR:-../shared/conformance/nomad-jobspecs}" \
        "(real Nomad job files kept next to the repository, not in it)"
    exit 0
fi
if [[ ! -x "$roost" ]]; then
    echo "conformance: $1 is not an executable roost binary" >&2
    exit 1
fi

# Input variables for the files that declare variables without defaults (or whose README row
# gives a value to check): file, then one NAME=VALUE for each -var, as the README rows describe.
variable_table='
jobspec2-parse_test-functions-and-lookups.hcl   env=prod
jobspec2-parse_test-locals.hcl                  region_var=set_region
jobspec2-parse_test-vars-and-functions.hcl      region_var=aug
node-meta.nomad.hcl                             foo_key=roost_test_foo
node-meta.nomad.hcl                             empty_key=roost_test_empty
node-meta.nomad.hcl                             unset_key=roost_test_unset
node-meta.nomad.hcl                             foo_constraint=${meta.roost_test_foo}
node-meta.nomad.hcl                             empty_constraint=${meta.roost_test_empty}
node-meta.nomad.hcl                             unset_constraint=${meta.roost_test_unset}
restart-node.nomad                              nodeID=f5b1e7a0-3c1d-4b8e-9a2f-0d6c4e8b1a23
xyz.hcl                                         X=hello
xyz.hcl                                         Y=42
xyz.hcl                                         Z=true
'

# The user's own NOMAD_VAR_* settings must not change the results.
for name in "${!NOMAD_VAR_@}"; do
    unset "$name"
done

# NEGATIVE rows of the README table: | # | `file` | … NEGATIVE: … |
negatives=$(grep -E '^\| *[0-9]+ *\| *`[^`]+`.*NEGATIVE' "$corpus/README.md" 2>/dev/null |
    sed -E 's/^\| *[0-9]+ *\| *`([^`]+)`.*/\1/' || true)

is_negative() {
    grep -qxF -- "$1" <<<"$negatives"
}

diagnostic_pattern='^[^ ].*:[0-9]+:[0-9]+: (error|warning): '
scratch=$(mktemp -d "${TMPDIR:-/tmp}/roost-conformance.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

row_format='%-2s %-46s %-9s %-13s %s\n'
# shellcheck disable=SC2059
printf "$row_format" "" "file" "expected" "result" "first diagnostic"
total=0
unexpected=0
cd "$corpus"
for file in *; do
    [[ -f "$file" ]] || continue
    case "$file" in README* | LICENSE*) continue ;; esac
    total=$((total + 1))

    arguments=()
    while read -r table_file assignment; do
        if [[ "$table_file" == "$file" ]]; then
            arguments+=(-var "$assignment")
        fi
    done <<<"$variable_table"

    status=0
    timeout 120 "$roost" job validate "${arguments[@]}" "$file" >"$scratch/out" 2>"$scratch/err" || status=$?

    warnings=$(grep -cE '^[^ ].*:[0-9]+:[0-9]+: warning: ' "$scratch/err" || true)
    errors=$(grep -cE '^[^ ].*:[0-9]+:[0-9]+: error: ' "$scratch/err" || true)
    case $status in
        0) if [[ $warnings -eq 0 ]]; then result="ok"; else result="$warnings warning$([[ $warnings -eq 1 ]] || echo s)"; fi ;;
        1) result="error" ;;
        124) result="timeout" ;;
        64) result="usage error" ;;
        *) if [[ $status -gt 128 ]]; then result="crash (sig $((status - 128)))"; else result="exit $status"; fi ;;
    esac

    first=$(grep -m1 -E "$diagnostic_pattern" "$scratch/err" || head -n1 "$scratch/err" || true)
    if [[ ${#first} -gt 110 ]]; then
        first="${first:0:107}..."
    fi

    if is_negative "$file"; then
        expected="NEGATIVE"
        [[ $status -eq 1 && $errors -gt 0 ]] && behaved=1 || behaved=0
    else
        expected="ok"
        [[ $status -eq 0 ]] && behaved=1 || behaved=0
    fi
    mark=""
    if [[ $behaved -eq 0 ]]; then
        mark="!!"
        unexpected=$((unexpected + 1))
    fi
    # shellcheck disable=SC2059
    printf "$row_format" "$mark" "$file" "$expected" "$result" "$first"
done

echo
if [[ $unexpected -eq 0 ]]; then
    echo "conformance: all $total files behaved as expected"
else
    echo "conformance: $unexpected of $total files did not behave as expected (marked !!)"
    exit 1
fi

#!/usr/bin/env bash
# Checks the import rules of DESIGN.md §2: a target under Sources/ may import only the modules
# its row allows, so that the pure layer-0 cores never grow a dependency on Foundation, the OS
# or a higher layer without anyone noticing.
#
#   contrib/check-layering.sh              check this repository
#   contrib/check-layering.sh --root DIR   check another tree (DIR/Sources/<Target>/**.swift)
#   contrib/check-layering.sh --self-test  prove on throwaway trees that violations are caught
#
# Prints one line per violation, `file:line: target X may not import Y`, and exits 1 if any.
set -euo pipefail

# ---------------------------------------------------------------------------------------------
# The allowed imports, mirroring the table in DESIGN.md §2. Change both together.
# Targets listed here that do not exist yet are fine; a directory under Sources/ that is not
# listed is a violation, so that a new target cannot skip the rules by accident.
# The standard library itself (Swift, _Concurrency) is always allowed.

layer0="ClusterModel Jobspec Raft SWIM Scheduler StateStore Supervision Wire"
layer1="Sodium Platform HTTP API ClusterSecurity"
layer2="RaftRuntime Gossip Images Supervisor ClusterRPC"
# What the OS edge may use. Layer 0 may use none of these.
os_modules="Foundation FoundationEssentials FoundationNetworking Dispatch Glibc Musl Darwin Synchronization"

allowed_imports() {
    case "$1" in
        ClusterModel) echo "" ;;
        Jobspec) echo "ClusterModel" ;;
        Raft) echo "" ;;
        SWIM) echo "" ;;
        Scheduler) echo "ClusterModel" ;;
        StateStore) echo "ClusterModel Scheduler" ;;
        Supervision) echo "ClusterModel" ;;
        Wire) echo "Raft SWIM ClusterModel" ;;
        CSodium) echo "" ;;
        Sodium) echo "CSodium" ;;
        ClusterSecurity) echo "Sodium Wire" ;;
        Platform) echo "$os_modules" ;;
        HTTP) echo "Platform $os_modules" ;;
        API) echo "ClusterModel StateStore $os_modules" ;;
        RaftRuntime) echo "Raft Wire Platform Sodium ClusterSecurity $os_modules" ;;
        Gossip) echo "SWIM Wire Platform Sodium $os_modules" ;;
        # Images is an OS edge of its own (URLSession, files, tar); the Supervisor's oci driver uses it.
        Images) echo "$os_modules" ;;
        # HTTP: the worker's http health checks use the repository's client.
        # A container's monitor: its own small executable, so libc alone (no Foundation to load).
        OCIMonitor) echo "Glibc Musl Darwin" ;;
        RoostOCIMonitor) echo "OCIMonitor Glibc Musl Darwin" ;;
        Supervisor) echo "Supervision ClusterModel Platform Images HTTP OCIMonitor $os_modules" ;;
        ClusterRPC) echo "ClusterModel StateStore ClusterSecurity Sodium Platform Wire $os_modules" ;;
        # Layer 3: anything in layers 0-2, and the OS edge (the CLI may use Foundation).
        Manager | Worker | RoostCLI) echo "$layer0 $layer1 $layer2 $os_modules" ;;
        # The executable is the composition root: it wires the manager, the worker and the HTTP
        # server together for `roost agent`.
        roost) echo "Manager Worker RoostCLI $layer0 $layer1 $layer2 $os_modules" ;;
        Simulation) echo "$layer0" ;;
        *) return 1 ;;
    esac
}
# ---------------------------------------------------------------------------------------------

always_allowed="Swift _Concurrency"

# Prints `line<TAB>module` for every import statement of a Swift file. Skips comments (line and
# nested block comments) and multi-line string literals, so commented-out imports do not count;
# understands attributes (`@preconcurrency`, `@_exported`, `@testable`), access levels
# (`public import`), kinds (`import struct Glibc.FILE`) and `;`-separated statements.
list_imports() {
    awk '
    BEGIN { depth = 0; in_string = 0 }
    {
        line = $0
        code = ""
        i = 1
        n = length(line)
        while (i <= n) {
            two = substr(line, i, 2)
            three = substr(line, i, 3)
            if (in_string) {
                if (three == "\"\"\"") { in_string = 0; i += 3; code = code " "; continue }
                i++; continue
            }
            if (depth > 0) {
                if (two == "/*") { depth++; i += 2; continue }
                if (two == "*/") { depth--; i += 2; code = code " "; continue }
                i++; continue
            }
            if (two == "/*") { depth = 1; i += 2; continue }
            if (two == "//") break
            if (three == "\"\"\"") { in_string = 1; i += 3; code = code "\"\""; continue }
            ch = substr(line, i, 1)
            if (ch == "\"") {
                # A one-line string literal: keep it opaque so its text cannot look like code.
                j = i + 1
                while (j <= n) {
                    c = substr(line, j, 1)
                    if (c == "\\") { j += 2; continue }
                    if (c == "\"") break
                    j++
                }
                code = code "\"\""
                i = j + 1
                continue
            }
            code = code ch
            i++
        }
        count = split(code, statements, ";")
        for (s = 1; s <= count; s++) {
            statement = statements[s]
            gsub(/\t/, " ", statement)
            sub(/^ +/, "", statement)
            # Attributes, possibly with arguments: @_spi(Name) @preconcurrency ...
            while (statement ~ /^@[A-Za-z_][A-Za-z0-9_]*/) {
                sub(/^@[A-Za-z_][A-Za-z0-9_]*(\([^)]*\))? */, "", statement)
            }
            sub(/^(public|package|internal|fileprivate|private|open) +/, "", statement)
            if (statement !~ /^import +/) continue
            sub(/^import +/, "", statement)
            sub(/^(struct|class|enum|protocol|typealias|func|let|var|actor) +/, "", statement)
            if (match(statement, /^[A-Za-z_][A-Za-z0-9_]*/)) {
                print FNR "\t" substr(statement, RSTART, RLENGTH)
            }
        }
    }
    ' "$1"
}

contains_word() {
    local word=$1 list=$2
    [[ " $list " == *" $word "* ]]
}

# Checks the tree under $1 and prints violations; returns 1 if there are any.
check_tree() {
    local root=$1 violations=0
    if [[ ! -d "$root/Sources" ]]; then
        echo "check-layering: no Sources/ directory under $root" >&2
        return 2
    fi
    local target_dir target allowed file line module
    for target_dir in "$root"/Sources/*/; do
        target=$(basename "$target_dir")
        if ! allowed=$(allowed_imports "$target"); then
            echo "Sources/$target: target $target is not in the layering table (DESIGN.md §2, contrib/check-layering.sh)"
            violations=$((violations + 1))
            continue
        fi
        while IFS= read -r -d '' file; do
            while IFS=$'\t' read -r line module; do
                if contains_word "$module" "$always_allowed $allowed"; then
                    continue
                fi
                echo "${file#"$root"/}:$line: target $target may not import $module"
                violations=$((violations + 1))
            done < <(list_imports "$file")
        done < <(find "$target_dir" -type f -name '*.swift' -print0 | sort -z)
    done
    if [[ $violations -gt 0 ]]; then
        echo "check-layering: $violations violation(s) of the import rules in DESIGN.md §2" >&2
        return 1
    fi
    return 0
}

self_test() {
    local scratch failures=0 output status
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/check-layering.XXXXXX")
    trap 'rm -rf "$scratch"' RETURN

    expect() {
        local description=$1 expected_status=$2 expected_text=$3 tree=$4
        status=0
        output=$(check_tree "$tree" 2>&1) || status=$?
        if [[ $status -ne $expected_status ]] || [[ -n "$expected_text" && "$output" != *"$expected_text"* ]]; then
            echo "self-test FAILED: $description (status $status, expected $expected_status)"
            echo "$output" | sed 's/^/    /'
            failures=$((failures + 1))
        else
            echo "self-test ok: $description"
        fi
    }

    # A clean tree: allowed imports, and imports that only look like imports.
    local clean="$scratch/clean"
    mkdir -p "$clean/Sources/ClusterModel" "$clean/Sources/Jobspec/Syntax" "$clean/Sources/RoostCLI" \
        "$clean/Sources/Sodium"
    cat >"$clean/Sources/ClusterModel/JobSpec.swift" <<'SWIFT'
// import Foundation
/* a block comment
   import Glibc
   /* nested */ import Dispatch
*/
let help = """
import Foundation
"""
let text = "import Glibc"
public struct JobSpec {}
SWIFT
    cat >"$clean/Sources/Jobspec/Syntax/Parser.swift" <<'SWIFT'
public import ClusterModel
@preconcurrency import struct ClusterModel.JobSpec
import Swift
SWIFT
    printf 'import Foundation\nimport Jobspec; import ClusterModel\n' >"$clean/Sources/RoostCLI/Tool.swift"
    printf 'import CSodium\n' >"$clean/Sources/Sodium/Hash.swift"
    expect "a tree that follows the rules passes" 0 "" "$clean"

    # Each violation on its own tree, so one cannot hide another.
    local bad="$scratch/foundation"
    mkdir -p "$bad/Sources/Jobspec/Syntax"
    printf 'import ClusterModel\n\nimport Foundation\n' >"$bad/Sources/Jobspec/Syntax/Lexer.swift"
    expect "layer 0 importing Foundation is caught with file and line" 1 \
        "Sources/Jobspec/Syntax/Lexer.swift:3: target Jobspec may not import Foundation" "$bad"

    bad="$scratch/attributed"
    mkdir -p "$bad/Sources/ClusterModel"
    printf '#if canImport(Glibc)\n@preconcurrency import Glibc\n#endif\n' >"$bad/Sources/ClusterModel/Clock.swift"
    expect "an attributed, conditional import of Glibc is caught" 1 \
        "Sources/ClusterModel/Clock.swift:2: target ClusterModel may not import Glibc" "$bad"

    bad="$scratch/kind"
    mkdir -p "$bad/Sources/Raft"
    printf 'let x = 1; import struct Synchronization.Mutex\n' >"$bad/Sources/Raft/Log.swift"
    expect "a scoped import after a semicolon is caught" 1 \
        "Sources/Raft/Log.swift:1: target Raft may not import Synchronization" "$bad"

    bad="$scratch/upward"
    mkdir -p "$bad/Sources/ClusterModel"
    printf 'import Jobspec\n' >"$bad/Sources/ClusterModel/Up.swift"
    expect "a lower layer importing a higher one is caught" 1 \
        "Sources/ClusterModel/Up.swift:1: target ClusterModel may not import Jobspec" "$bad"

    bad="$scratch/unlisted"
    mkdir -p "$bad/Sources/Mystery"
    printf 'import Foundation\n' >"$bad/Sources/Mystery/Thing.swift"
    expect "a target missing from the table is caught" 1 "target Mystery is not in the layering table" "$bad"

    if [[ $failures -gt 0 ]]; then
        echo "check-layering: self-test failed ($failures case(s))" >&2
        return 1
    fi
    echo "check-layering: self-test passed"
}

root="$(cd "$(dirname "$0")/.." && pwd)"
case "${1:-}" in
    --self-test)
        self_test
        ;;
    --root)
        [[ $# -eq 2 ]] || { echo "usage: $0 [--self-test | --root DIR]" >&2; exit 64; }
        check_tree "$2"
        ;;
    "")
        check_tree "$root"
        echo "check-layering: imports follow DESIGN.md §2"
        ;;
    *)
        echo "usage: $0 [--self-test | --root DIR]" >&2
        exit 64
        ;;
esac

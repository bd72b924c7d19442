#!/usr/bin/env bash
# Mutation testing of advisor's core modules with mutmut, one module at a time, each
# against the few test files that exercise it (the whole suite takes minutes per mutant
# batch). Not part of CI's test run. Needs the `mutation` extra:
#     pip install -e '.[test,mutation]'
# Usage: [MUTATION_CHILDREN=N] [MUTATION_DIFFS=1] bench/mutation.sh [module ...]   (default: every module below)
# Prints, per module, the mutants killed, survived and the score (killed / all tested).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# mutmut keeps one mutated source tree and switches mutants on at run time, so the start-up
# cache (keyed by the source) would hand every mutant the pack the first one compiled.
export ADVISOR_NO_CACHE=1

declare -A TESTS=(
  [conditions]="tests/test_conditions.py tests/test_oracle.py tests/test_rulepack.py tests/test_engine.py"
  [rulepack]="tests/test_rulepack.py tests/test_rulepack_parts.py tests/test_engine.py tests/test_source_document.py"
  [rulepack_model]="tests/test_rulepack.py tests/test_rulepack_parts.py tests/test_packtests.py tests/test_source_document.py"
  [packrecords]="tests/test_rulepack.py tests/test_rulepack_parts.py tests/test_engine.py tests/test_analysis.py tests/test_i18n.py tests/test_translation.py"
  [workload]="tests/test_workload_plain.py tests/test_workload.py tests/test_workload_schema.py tests/test_hostile.py"
  [records]="tests/test_records.py tests/test_workload_plain.py tests/test_reports.py tests/test_decision_parts.py"
  [engine]="tests/test_engine.py tests/test_engine_parts.py tests/test_oracle.py tests/test_guards.py tests/test_conditions.py tests/test_rulepack.py"
  [scoring]="tests/test_scoring.py tests/test_oracle.py tests/test_decision.py tests/test_check_three.py"
  [decision]="tests/test_decision.py tests/test_decision_parts.py tests/test_scoring.py tests/test_oracle.py tests/test_properties.py"
  [check]="tests/test_check_api.py tests/test_check_edges.py tests/test_check_three.py tests/test_baseline.py tests/test_check_scale.py tests/test_golden_facts.py tests/test_policy.py"
  [policy]="tests/test_policy.py tests/test_policy_messages.py"
  [yamlfile]="tests/test_yamlfile_fast.py tests/test_yamlfile_parts.py tests/test_rulepack.py"
  [files]="tests/test_files.py tests/test_files_parts.py tests/test_hostile.py"
)
ORDER=(scoring conditions files check engine rulepack rulepack_model packrecords workload records policy decision yamlfile)
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=("${ORDER[@]}")

work=$(mktemp -d "${TMPDIR:-/tmp}/advisor-mutation.XXXXXX")
trap 'rm -rf "$work"' EXIT
for module in "${modules[@]}"; do
  [ -n "${TESTS[$module]:-}" ] || { echo "unknown module: $module" >&2; exit 2; }
  copy="$work/$module"
  mkdir -p "$copy"
  # A copy per module, so each run has its own mutants/ folder and configuration.
  git ls-files -z --cached --others --exclude-standard | (cd "$ROOT" && xargs -0 cp --parents -t "$copy")
  python3 - "$copy/pyproject.toml" "$module" ${TESTS[$module]} <<'PY'
import re, sys
path, module, tests = sys.argv[1], sys.argv[2], sys.argv[3:]
text = open(path, encoding="utf-8").read()
quoted = ", ".join(f'"{t}"' for t in tests)
text = re.sub(r'only_mutate = \[.*?\]', f'only_mutate = ["advisor/{module}.py"]', text, flags=re.S)
text = re.sub(r'pytest_add_cli_args_test_selection = \[.*?\]', f'pytest_add_cli_args_test_selection = [{quoted}]',
              text, flags=re.S)
if module == "engine":  # compiled packs are cached per process: fork each mutant from a process that ran no test
    text = text.replace("[tool.mutmut]\n", '[tool.mutmut]\nprocess_isolation = "forkserver"\n', 1)
open(path, "w", encoding="utf-8").write(text)
PY
  start=$(date +%s)
  (cd "$copy" && mutmut run ${MUTATION_CHILDREN:+--max-children "$MUTATION_CHILDREN"} >"$copy/run.log" 2>&1) || true
  (cd "$copy" && mutmut results --all true >"$copy/results.txt" 2>&1) || true
  seconds=$(( $(date +%s) - start ))
  killed=$(grep -c ': killed$' "$copy/results.txt" || true)
  survived=$(grep -c ': survived$' "$copy/results.txt" || true)
  other=$(grep -vcE ': (killed|survived)$' "$copy/results.txt" || true)
  total=$((killed + survived))
  [ "$total" -gt 0 ] || tail -20 "$copy/run.log" >&2
  score=$([ "$total" -gt 0 ] && echo "scale=1; 100 * $killed / $total" | bc || echo "n/a")
  printf '%-11s killed %4d  survived %4d  other %3d  score %5s%%  (%ds)\n' \
    "$module" "$killed" "$survived" "$other" "$score" "$seconds"
  grep ': survived$' "$copy/results.txt" | sed 's/^/    /' || true
  mkdir -p "$ROOT/bench/.mutation" && cp "$copy/results.txt" "$ROOT/bench/.mutation/$module.txt"
  if [ -n "${MUTATION_DIFFS:-}" ]; then
    : >"$ROOT/bench/.mutation/$module.diff"
    for name in $(grep ': survived$' "$copy/results.txt" | sed 's/: survived$//; s/^ *//'); do
      (cd "$copy" && mutmut show "$name") >>"$ROOT/bench/.mutation/$module.diff" 2>&1 || true
    done
  fi
done

#!/usr/bin/env bash
# Checks a folder written by `model_exporter generate` with the real tools:
#   promtool check rules / check config / test rules, amtool check-config and a route test
#   per receiver and severity, and Grafana's JSON schemas (validate.py) on every dashboard.
# usage: scripts/check-generated.sh DIR
# Tools: scripts/install-deps installs promtool, amtool and jsonschema. The schemas are taken
# from $GRAFANA_SCHEMA_DIR, else the project's copy in Tests/Fixtures/grafana-schema (Grafana's
# published schemas, Apache-2.0; see its README), so the suite stands alone.
set -euo pipefail

dir=${1:?usage: check-generated.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
schema_dir=${GRAFANA_SCHEMA_DIR:-$here/../Tests/Fixtures/grafana-schema}

missing() { echo "check-generated: $1 not found: run scripts/install-deps" >&2; exit 2; }
command -v promtool >/dev/null || missing promtool
command -v amtool >/dev/null || missing amtool
command -v python3 >/dev/null || missing python3
python3 -c 'import jsonschema' 2>/dev/null || missing "python jsonschema"
[ -f "$schema_dir/validate.py" ] || { echo "check-generated: $schema_dir/validate.py not found (set GRAFANA_SCHEMA_DIR)" >&2; exit 2; }

shopt -s nullglob
rules=("$dir"/prometheus/rules/*.rules.yml)
tests=("$dir"/prometheus/tests/*.test.yml)
dashboards=("$dir"/grafana/dashboards/*.json "$dir"/grafana/provisioning/dashboards/*.json)
[ ${#rules[@]} -gt 0 ] || { echo "check-generated: no rule files in $dir/prometheus/rules" >&2; exit 1; }

echo "== promtool check rules"
promtool check rules "${rules[@]}"
echo "== promtool check config"
promtool check config "$dir/prometheus/prometheus.yml"
echo "== promtool test rules"
(cd "$dir/prometheus/tests" && promtool test rules "${tests[@]##*/}")
for k in "$dir"/kubernetes/*.prometheusrule.yml; do
  echo "== promtool check rules (spec of ${k##*/})"
  tmp=$(mktemp --suffix=.yml)
  # The PrometheusRule's spec, de-indented, is a rule file.
  sed -n '/^spec:$/,$p' "$k" | tail -n +2 | sed 's/^  //' > "$tmp"
  promtool check rules "$tmp"
  rm -f "$tmp"
done

am="$dir/alertmanager/alertmanager.yml"
echo "== amtool check-config"
amtool check-config "$am"
echo "== amtool config routes test"
# Receivers are named after their team: each team and severity must reach its own receiver.
teams=$(sed -n '/^receivers:$/,/^[a-z_]*:$/p' "$am" | sed -n "s/^  - name: *//p" | sed "s/^'\(.*\)'\$/\1/; s/''/'/g")
status=0
am_err=$(mktemp)
trap 'rm -f "$am_err"' EXIT
while IFS= read -r team; do
  [ -n "$team" ] || continue
  for severity in critical warning info; do
    # (amtool warns on stderr that --config.file overrides --alertmanager.url: kept aside.)
    got=$(amtool config routes test --config.file="$am" "team=$team" "severity=$severity" 2>"$am_err") || true
    if [ "$got" != "$team" ]; then
      echo "route team=$team severity=$severity: got receiver '$got', want '$team'" >&2
      cat "$am_err" >&2
      status=1
    fi
  done
done <<< "$teams"
[ $status -eq 0 ] || exit 1
echo "routes: ok"

echo "== validate.py"
python3 "$schema_dir/validate.py" "${dashboards[@]}"

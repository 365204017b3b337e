#!/usr/bin/env bash
# Regenerates the registry docs (docs/index.md, docs/resources/*.md, docs/data-sources/*.md) from
# the schema descriptions in src/ and the files in examples/, in terraform-plugin-docs' layout.
# docs/guides/ is hand-written and left alone. --check only compares, as the test suite does.
# Usage: scripts/docs.sh [--help] [--check]
set -euo pipefail

case "${1:-}" in
  --help | -h)
    sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  --check) update=0 ;;
  "") update=1 ;;
  *)
    echo "unknown argument: $1 (see --help)" >&2
    exit 2
    ;;
esac
cd "$(dirname "$0")/.."

# The renderer is crates/tfplugin-framework/src/docs.rs (src/docs.rs gives it this provider); the docs test compares its output with docs/, or writes it.
UPDATE_DOCS=$update cargo test --quiet --test docs -- --exact --nocapture docs_match_schema_and_examples

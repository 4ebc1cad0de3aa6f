#!/usr/bin/env bash
# Installs what run.sh needs (with --test: what test.sh needs too) and nothing else. For an administrator whose
# users have no sudo: run it as root once, then ordinary users can run ./run.sh and ./test.sh.
#   bash scripts/prereqs.sh [--test]
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SAMBUNG_ROOT"
ensure_prereqs "$@"

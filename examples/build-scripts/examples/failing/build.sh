#!/usr/bin/env bash
# A build that fails: the build's result is the script's exit code, here 3.
set -euo pipefail

echo "Running the tests..."
echo "3 tests failed" >&2
exit 3

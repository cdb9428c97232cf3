#!/usr/bin/env bash
# The smallest build: says hello and names what it was asked to build.
# Values arrive as environment variables; quote them, and print them with printf '%s'.
set -euo pipefail

printf 'Hello from build %s of %s!\n' "$BUILD_ID" "$PROJECT_KEY"
printf 'Building branch %s\n' "$BRANCH_TO_BUILD"
if [[ -n "$COMMIT_TO_BUILD" ]]; then
  printf 'at commit %s\n' "$COMMIT_TO_BUILD"
fi

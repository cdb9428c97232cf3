#!/usr/bin/env bash
# A build that leaves artifacts: every file under $ARTIFACTS_DIR (folders included) is uploaded
# to S3 under the build id, with its content type, and listed in the build's manifest.json.
set -euo pipefail

mkdir -p "$ARTIFACTS_DIR/dist" src
printf 'print("hello")\n' > src/app.py
tar -czf "$ARTIFACTS_DIR/dist/app.tar.gz" src

cat > "$ARTIFACTS_DIR/report.html" <<'HTML'
<!doctype html>
<html><head><title>Test report</title></head><body><p>All 12 tests passed.</p></body></html>
HTML

# JSON needs escaping that bash does not do; python3 is in the base image.
python3 -c '
import json, os
keys = ("BUILD_ID", "PROJECT_KEY", "BRANCH_TO_BUILD", "COMMIT_TO_BUILD")
print(json.dumps({key: os.environ[key] for key in keys}, indent=2))
' > "$ARTIFACTS_DIR/build-info.json"

echo "Left $(find "$ARTIFACTS_DIR" -type f | wc -l) artifacts in $ARTIFACTS_DIR"

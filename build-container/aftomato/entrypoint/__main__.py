"""``python -m aftomato.entrypoint``: run one build, from the environment to an exit code.

The composition: read the configuration, find the script, prepare the folders, run the script,
ship its artifacts, and say what happened at each step on the console.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

from aftomato.entrypoint.artifacts import collect
from aftomato.entrypoint.config import Build, Config, load_config, script_environment
from aftomato.entrypoint.console import Console
from aftomato.entrypoint.exitcodes import (
    EntrypointError,
    ExitCode,
    Stopped,
    final_exit_code,
    script_exit_code,
)
from aftomato.entrypoint.paths import find_build_script, prepare_folders
from aftomato.entrypoint.process import STOP_SIGNALS, ScriptResult, handling, run_script
from aftomato.entrypoint.upload import UploadFailed, s3_client, upload_artifacts

STDOUT_FD = 1


def main(environ: Mapping[str, str] | None = None) -> int:
    """Run the build ``environ`` (default: this process's environment) describes."""
    console = Console(STDOUT_FD)
    started = time.monotonic()
    try:
        with handling(STOP_SIGNALS, _raise_stopped):
            code = _build(os.environ if environ is None else environ, console)
    except EntrypointError as error:
        console.say(str(error))
        code = error.exit_code
    except Exception:  # the last resort: say what broke, with the whole story
        console.say("internal error in the entrypoint:")
        console.copy(traceback.format_exc().encode())
        code = ExitCode.INTERNAL_ERROR
    console.say(f"finished: exit code {int(code)} after {time.monotonic() - started:.1f} s")
    return int(code)


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    """Outside the script's run, a stop signal ends the entrypoint at once."""
    raise Stopped(signum)


def _build(environ: Mapping[str, str], console: Console) -> int:
    config = load_config(environ)
    console.say(_header(config.build))
    script = find_build_script(config.scripts_dir, config.build.project_key)
    folders = prepare_folders(config.workspace, config.artifacts_dir)
    console.say(f"running {script} in {folders.workspace}")
    result = run_script(
        ["bash", str(script)],
        cwd=folders.workspace,
        env=script_environment(config.build, folders.artifacts, environ),
        grace_seconds=config.kill_grace_seconds,
        console=console,
    )
    code = script_exit_code(result.returncode, result.stop_signal)
    console.say(_outcome(result, code))
    if result.stop_signal is not None:
        console.say("artifacts not uploaded: the build was stopped")
        return code
    return final_exit_code(code, _ship(config, folders.artifacts, console))


def _header(build: Build) -> str:
    commit = repr(build.commit) if build.commit else "(latest)"
    pull_request = f", pull request {build.pull_request!r}" if build.pull_request else ""
    return (
        f"build {build.build_id}: project {build.project_key!r}, branch {build.branch!r},"
        f" commit {commit}{pull_request}"
    )


def _outcome(result: ScriptResult, code: int) -> str:
    if result.returncode < 0:
        name = signal.Signals(-result.returncode).name
        return f"build.sh was killed by {name} (exit code {code})"
    if code != result.returncode:
        return f"build.sh exited with code {result.returncode} after it was asked to stop"
    return f"build.sh exited with code {code}"


def _ship(config: Config, folder: Path, console: Console) -> bool:
    """Upload the artifacts; True when they are all in S3 (or upload is off)."""
    if config.upload is None:
        console.say("artifact upload is off (AFTOMATO_ARTIFACTS_UPLOAD)")
        return True
    destination = f"s3://{config.upload.bucket}/{config.build.build_id}/"
    try:
        artifacts, skipped = collect(folder)
        for item in skipped:
            console.say(f"artifact {item.path!r} skipped: {item.reason}")
        client = s3_client(config.upload.endpoint_url)
        upload_artifacts(client, config.upload.bucket, config.build.build_id, artifacts)
    except (UploadFailed, OSError) as error:
        console.say(f"ARTIFACT UPLOAD FAILED to {destination}: {error}")
        return False
    size = sum(artifact.size for artifact in artifacts)
    console.say(
        f"uploaded {len(artifacts)} artifacts ({size} bytes) and manifest.json to {destination}"
    )
    return True


if __name__ == "__main__":
    sys.exit(main())

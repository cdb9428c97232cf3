"""The build container's entrypoint: run a project's ``build.sh``, stream it, ship its artifacts.

``python -m aftomato.entrypoint`` runs one build and exits. Build pods, the local executor of
``aftomato up`` and the test kubelet all run it. It needs only the standard library and boto3,
and imports nothing else of Aftomato's, so it runs in any image with Python 3.11 and boto3.

What it does, in order (each step says so on stdout in a line starting with ``[aftomato]``):

1. reads its configuration from the environment (below);
2. finds ``$AFTOMATO_BUILD_SCRIPTS_DIR/$PROJECT_KEY/build.sh``, refusing a key that leads
   outside the build scripts folder (``..``, an absolute path, a symbolic link);
3. creates the workspace and the artifacts folder (each must be absent or empty);
4. runs ``bash build.sh`` in the workspace, in its own process group, with stdin from
   ``/dev/null``; stdout and stderr, merged, are copied to its own stdout as they come;
5. on SIGTERM or SIGINT passes the signal to the script's process group, waits
   ``AFTOMATO_KILL_GRACE_SECONDS``, then kills the group; a stopped build uploads nothing;
6. uploads every file in the artifacts folder to ``s3://<bucket>/<BUILD_ID>/<relative path>``
   with its content type, then ``s3://<bucket>/<BUILD_ID>/manifest.json`` (path, size, sha256
   and content type of each file) last, so the manifest's presence means the upload is complete;
7. exits with the script's exit code (exit codes below).

Environment
-----------
``BUILD_ID`` (required)
    The build's id; names the S3 folder. 1-128 of ``A-Z a-z 0-9 . _ -``.
``PROJECT_KEY`` (required)
    The project's folder in the build scripts, e.g. ``owner/repo`` or ``group/sub/repo``.
``BRANCH_TO_BUILD`` (required)
    The branch to build, exactly as the SCM named it.
``COMMIT_TO_BUILD``, ``PULL_REQUEST`` (optional)
    The commit and the pull-request number, where known. The script always sees both variables,
    empty when unknown.
``AFTOMATO_BUILD_SCRIPTS_DIR`` (default ``/scripts``)
    The checked-out build scripts repository.
``AFTOMATO_WORKSPACE`` (default ``/workspace``)
    The script's working directory; created if absent, refused unless empty.
``ARTIFACTS_DIR`` (default: ``artifacts`` beside the workspace, so ``/artifacts``)
    Where the script leaves files to keep; created if absent, refused unless empty, and never
    inside the workspace (nor the workspace inside it). The script sees its absolute path.
``AFTOMATO_ARTIFACTS_UPLOAD`` (default ``on``)
    ``off`` skips the upload (local runs without S3); ``on``/``off``, ``true``/``false``,
    ``yes``/``no`` or ``1``/``0``.
``AFTOMATO_ARTIFACTS_BUCKET`` (default ``aftomato-build-artifacts``)
    The S3 bucket of artifacts.
``AFTOMATO_AWS_ENDPOINT_URL`` (optional)
    An S3 stand-in such as moto or LocalStack; unset for AWS.
``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``, ``AWS_DEFAULT_REGION``, ...
    The standard AWS variables (or the pod's service-account role), read by boto3.
``AFTOMATO_KILL_GRACE_SECONDS`` (default ``10``)
    Seconds between passing a stop signal on and killing the script's process group (0-3600).

Every other variable, build parameters included, is inherited by the script as it is: values
travel as environment, never through a command line.

Exit codes
----------
The script's own exit code when it ran to its end, except:

- 120: the project key was refused, or the project has no ``build.sh``;
- 121: the script exited 0 but its artifacts could not all be uploaded (when the script failed,
  its code wins and the upload failure is only logged);
- 122: the entrypoint itself failed (the traceback is in the log);
- 123: a variable is missing or malformed, or the workspace or artifacts folder is unusable;
- 128 + n: stopped by signal n: 143 for SIGTERM, 130 for SIGINT, 137 when the script outlived
  the grace period and was killed. A stopped script that exits 0 still reports 128 + n.

See :class:`aftomato.entrypoint.exitcodes.ExitCode`.
"""

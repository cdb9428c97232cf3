"""``aftomato up``: ingest, scheduler, watcher and api in one process, on embedded back ends.

An in-process bus and in-process locks, SQLite records, logs and artifacts in a local folder,
and builds run by the local executor; each service is wired by its own composition function, as
its container does, and all of them answer on one HTTP port. Ctrl-C (SIGINT) or SIGTERM cancels
the running builds, records them and stops.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Sequence
from contextlib import AsyncExitStack
from pathlib import Path

from prometheus_client import CollectorRegistry

from aftomato.api.service import compose_api
from aftomato.api.settings import ApiSettings
from aftomato.cli.embedded.announce import Announce
from aftomato.cli.embedded.backends import Backends, open_backends
from aftomato.cli.embedded.credentials import credentials
from aftomato.cli.embedded.executor import LocalExecutor
from aftomato.cli.embedded.ingest import compose_ingest
from aftomato.cli.embedded.leftovers import DIED, end_active
from aftomato.cli.embedded.one_port import add_hooks
from aftomato.cli.embedded.settings import UpSettings, up_environment
from aftomato.cli.embedded.stopping import StopBuilds
from aftomato.common.http import HttpServer
from aftomato.common.runner import Component
from aftomato.common.scripts.settings import ScriptsReaderSettings
from aftomato.common.service import report_settings_error, run_service
from aftomato.common.settings import HttpSettings, SettingsError, load
from aftomato.common.states import BuildState
from aftomato.ingest.settings import WebhookSettings
from aftomato.scheduler.pod_settings import PodContext
from aftomato.scheduler.service import compose_scheduler
from aftomato.scheduler.settings import SchedulerSettings
from aftomato.watcher.reporting.settings import ReportingSettings
from aftomato.watcher.reporting.wiring import open_reporting
from aftomato.watcher.service import compose_watcher
from aftomato.watcher.settings import WatcherSettings


def _arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="aftomato up", description=__doc__)
    parser.add_argument("--port", help="HTTP port (AFTOMATO_HTTP_PORT, default 8080; 0: any)")
    parser.add_argument("--host", help="listen address (AFTOMATO_HTTP_HOST, default 127.0.0.1)")
    parser.add_argument("--data-dir", help="records, logs, artifacts (AFTOMATO_DATA_DIR)")
    parser.add_argument(
        "--scripts", help="build scripts: a folder or git URL (AFTOMATO_BUILD_SCRIPTS_REPO)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    args = _arguments(argv)
    environ = up_environment(
        os.environ,
        overrides={
            "AFTOMATO_HTTP_PORT": args.port,
            "AFTOMATO_HTTP_HOST": args.host,
            "AFTOMATO_DATA_DIR": args.data_dir,
            "AFTOMATO_BUILD_SCRIPTS_REPO": args.scripts,
        },
    )
    try:
        up, http = load(UpSettings, environ), load(HttpSettings, environ)
        reader, pod_context = (
            load(ScriptsReaderSettings, environ),
            PodContext.from_environment(environ),
        )
        scheduling, watching = load(SchedulerSettings, environ), load(WatcherSettings, environ)
        reporting_settings = load(ReportingSettings, environ)
        up.data_dir.mkdir(parents=True, exist_ok=True)
        access = credentials(
            load(WebhookSettings, environ), load(ApiSettings, environ), up.data_dir
        )
    except (SettingsError, OSError) as error:
        return report_settings_error("up", SettingsError(str(error)))

    async def start(stack: AsyncExitStack) -> Sequence[Component]:
        backends: Backends = await open_backends(stack, up.data_dir, pod_context, reader)
        await end_active(backends.records, BuildState.ERRORED, DIED)
        work_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="aftomato-up-")))
        executor = LocalExecutor(work_dir, lambda: backends.repository.path, backends.artifacts)
        stack.push_async_callback(executor.close)
        registry = CollectorRegistry()
        scheduler = compose_scheduler(
            bus=backends.bus(),
            store=backends.coordination,
            pods=executor,
            scripts=backends.scripts,
            pod_context=pod_context,
            settings=scheduling,
            keys=backends.keys,
            registry=registry,
            scripts_poll_seconds=reader.poll_seconds,
        )
        reporting = await open_reporting(
            stack,
            reporting_settings,
            records=backends.records,
            coordination=backends.coordination,
            prefix=backends.keys.prefix,
            scripts=backends.scripts,
            scripts_poll_seconds=reader.poll_seconds,
        )
        watcher = compose_watcher(
            bus=backends.bus(),
            records=backends.records,
            logs=backends.logs,
            artifacts=backends.artifacts,
            coordination=backends.coordination,
            keys=backends.keys,
            source=executor,
            settings=watching,
            reporting=reporting,
        )
        api = compose_api(
            bus=backends.bus(),
            records=backends.records,
            logs=backends.logs,
            artifacts=backends.artifacts,
            coordination=backends.coordination,
            keys=backends.keys,
            scripts=backends.scripts,
            live_logs=executor,
            settings=access.api,
            registry=registry,
            scripts_poll_seconds=reader.poll_seconds,
        )
        add_hooks(api.app, compose_ingest(backends.bus(), access.webhooks, registry))
        server = HttpServer(api.app, http.host, http.port, name="up")
        return [
            executor,
            *scheduler.components,
            *watcher.components,
            *api.components,
            server,
            StopBuilds(executor, watcher.tracker, backends.records),
            Announce(server, http.host, access, up.data_dir),
        ]

    return run_service("up", start, secrets=access.secrets, environ=environ)

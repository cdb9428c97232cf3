// A build page: the live console, its state as it changes, cancel and rebuild.

import { notify, recorded, send } from "./api.js";
import { LogConsole } from "./console.js";
import { refreshOnEvents } from "./live.js";
import { followEvents } from "./sse.js";

export function start() {
  const page = document.getElementById("build");
  const buildId = page.dataset.buildId;
  const stopEvents = new AbortController();
  const refresh = refreshOnEvents((message) => message.build_id === buildId, stopEvents.signal);
  const logEnded = followLog(buildId, refresh);
  // Once the log is complete and the record says final, nothing on this page changes again.
  document.addEventListener("regions-refreshed", async () => {
    const final = document.getElementById("build-status").dataset.final === "yes";
    if (final && (await logEnded)) stopEvents.abort();
  });
  document.getElementById("actions").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (button) act(button, buildId, refresh);
  });
}

/** Shows the log as it comes; resolves true once the stream has said the build ended. */
async function followLog(buildId, refresh) {
  const status = document.getElementById("console-state");
  const logConsole = new LogConsole(document.getElementById("console"), document.getElementById("follow"));
  const say = { open: "Following the log.", retry: "Connection lost; reconnecting…" };
  let ended = false;
  await followEvents(`/api/v1/builds/${buildId}/log/events`, {
    onState(state) {
      if (say[state]) status.textContent = say[state];
    },
    onEvent(event) {
      if (event.type === "line") {
        logConsole.append(JSON.parse(event.data));
        return undefined;
      }
      if (event.type === "end") {
        const { state } = JSON.parse(event.data);
        status.textContent = `The build ended: ${String(state).replace("_", " ")}. The log is complete.`;
        ended = true;
        refresh(); // the record may trail the log's end; build.* events keep the page current
        return "stop";
      }
      return undefined;
    },
  });
  return ended;
}

async function act(button, buildId, refresh) {
  const action = button.dataset.action;
  button.disabled = true;
  notify("");
  try {
    const answer = await send("POST", `/api/v1/builds/${buildId}/${action}`);
    if (action === "rebuild") {
      await recorded(answer.build_id);
      location.assign(answer.page ?? `/builds/${answer.build_id}`);
    } else {
      refresh();
    }
  } catch (error) {
    notify(`Could not ${action} the build: ${error.message}`);
    button.disabled = false;
  }
}

// A build page: the live console, its state as it changes, cancel and rebuild.

import { notify, send } from "./api.js";
import { LogConsole } from "./console.js";
import { refreshOnEvents } from "./live.js";
import { followEvents } from "./sse.js";

export function start() {
  const page = document.getElementById("build");
  const buildId = page.dataset.buildId;
  const stopEvents = new AbortController();
  const refresh = refreshOnEvents((message) => message.build_id === buildId, stopEvents.signal);
  followLog(buildId, refresh, stopEvents);
  document.getElementById("actions").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (button) act(button, buildId, refresh);
  });
}

function followLog(buildId, refresh, stopEvents) {
  const status = document.getElementById("console-state");
  const logConsole = new LogConsole(document.getElementById("console"), document.getElementById("follow"));
  const say = { open: "Following the log.", retry: "Connection lost; reconnecting…" };
  followEvents(`/api/v1/builds/${buildId}/log/events`, {
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
        // The record may trail the log's end by a moment; the event stream keeps us current.
        refresh();
        setTimeout(() => stopEvents.abort(), 5000);
        return "stop";
      }
      return undefined;
    },
  });
}

async function act(button, buildId, refresh) {
  const action = button.dataset.action;
  button.disabled = true;
  notify("");
  try {
    const answer = await send("POST", `/api/v1/builds/${buildId}/${action}`);
    if (action === "rebuild") location.assign(answer.page ?? `/builds/${answer.build_id}`);
    else refresh();
  } catch (error) {
    notify(`Could not ${action} the build: ${error.message}`);
    button.disabled = false;
  }
}

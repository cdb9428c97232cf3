// A project page: the launch form, and the history and chart updating as its builds progress.

import { notify, recorded, send } from "./api.js";
import { refreshOnEvents } from "./live.js";

export function start() {
  const form = document.getElementById("launch-form");
  const project = document.querySelector("h1[data-project]").dataset.project;
  refreshOnEvents((message) => message.project_key === project);
  form?.addEventListener("submit", (event) => {
    event.preventDefault();
    launch(form);
  });
}

async function launch(form) {
  const button = form.querySelector("button[type=submit]");
  const body = { project: form.dataset.project, branch: form.elements.branch.value.trim() };
  const commit = form.elements.commit.value.trim();
  if (commit) body.commit = commit;
  button.disabled = true;
  notify("");
  try {
    const answer = await send("POST", "/api/v1/builds", body);
    await recorded(answer.build_id);
    location.assign(answer.page ?? `/builds/${answer.build_id}`);
  } catch (error) {
    notify(`Could not launch the build: ${error.message}`);
    button.disabled = false;
  }
}

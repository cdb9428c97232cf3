// The queue page: open or close it, and show its state as others change it.

import { notify, send } from "./api.js";
import { refreshRegions } from "./refresh.js";

export function start() {
  const form = document.getElementById("queue-form");
  if (!form) return;
  syncButtons(form);
  document.addEventListener("regions-refreshed", () => syncButtons(form));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const open = event.submitter?.value === "true";
    const reason = form.elements.reason.value.trim();
    notify("");
    try {
      await send("PUT", "/api/v1/queue", reason && !open ? { open, reason } : { open });
      form.elements.reason.value = "";
      await refreshRegions();
    } catch (error) {
      notify(`Could not ${open ? "open" : "close"} the queue: ${error.message}`);
    }
  });
}

function syncButtons(form) {
  const open = document.getElementById("queue-state").dataset.open === "yes";
  document.getElementById("close-queue").disabled = !open;
  document.getElementById("open-queue").disabled = open;
}

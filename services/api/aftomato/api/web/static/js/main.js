// The one script every page loads: sign-out, then the module of the page named by <body data-page>.

import { notify, send } from "./api.js";

const PAGES = {
  dashboard: () => import("./dashboard.js"),
  project: () => import("./project.js"),
  build: () => import("./build.js"),
  queue: () => import("./queue.js"),
  "sign-in": () => import("./sign-in.js"),
};

document.getElementById("sign-out")?.addEventListener("click", async () => {
  try {
    await send("DELETE", "/api/v1/session");
    location.assign("/");
  } catch (error) {
    notify(`Could not sign out: ${error.message}`);
  }
});

const load = PAGES[document.body.dataset.page];
if (load) load().then((module) => module.start());

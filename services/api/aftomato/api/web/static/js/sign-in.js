// The sign-in form: the token goes to POST /api/v1/session, which sets the HttpOnly cookie.

import { notify, send } from "./api.js";

export function start() {
  const form = document.getElementById("sign-in-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    notify("");
    try {
      await send("POST", "/api/v1/session", { token: form.elements.token.value });
      location.assign(form.dataset.next || "/");
    } catch (error) {
      form.elements.token.value = "";
      form.elements.token.focus();
      notify(error.status === 401 ? "That token is not known. Check it and try again." : error.message);
    }
  });
}

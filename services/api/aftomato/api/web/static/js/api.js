// Writes to the JSON API from the page: same-origin cookies plus the double-submit CSRF header.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The value of cookie `name`, or "" (the CSRF cookie is readable by scripts on purpose). */
export function cookie(name, source = document.cookie) {
  for (const part of source.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

/** Sends `body` as JSON; answers the parsed JSON (or null for 204); throws ApiError otherwise. */
export async function send(method, url, body) {
  const headers = { Accept: "application/json", "X-CSRF-Token": cookie("aftomato_csrf") };
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const text = await response.text();
  const answer = text ? safeJson(text) : null;
  if (!response.ok) {
    const error = answer?.error ?? {};
    throw new ApiError(response.status, error.code ?? "http_error",
      error.message ?? `${method} ${url} answered ${response.status}`);
  }
  return answer;
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Shows `message` in the page's alert line (role="alert"), or hides it for "". */
export function notify(message) {
  const notice = document.getElementById("notice");
  if (!notice) return;
  notice.textContent = message;
  notice.hidden = message === "";
}

/**
 * Waits until the record of a build just launched can be read (it appears once the watcher has
 * applied the request), so its page never answers 404; gives up after `withinMs` and goes anyway.
 */
export async function recorded(buildId, { withinMs = 15000, everyMs = 250 } = {}) {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    const response = await fetch(`/api/v1/builds/${buildId}`, { credentials: "same-origin", cache: "no-store" });
    if (response.ok) return true;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return false;
}

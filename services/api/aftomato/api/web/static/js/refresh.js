// Live regions: the server renders every page; to update one without a reload we fetch the page
// again and swap the content of each element marked data-live. One renderer, no copies in JS.

/** Replaces the content of every [data-live] element by the same element of a fresh render. */
export async function refreshRegions(doc = document, url = location.href) {
  const response = await fetch(url, { credentials: "same-origin", cache: "no-store",
    headers: { Accept: "text/html" } });
  if (!response.ok || response.redirected) return false;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const region of doc.querySelectorAll("[data-live][id]")) {
    const replacement = fresh.getElementById(region.id);
    if (!replacement) continue;
    for (const { name, value } of replacement.attributes) {
      if (name.startsWith("data-") && region.getAttribute(name) !== value) region.setAttribute(name, value);
    }
    if (region.innerHTML !== replacement.innerHTML) region.innerHTML = replacement.innerHTML;
  }
  doc.dispatchEvent(new CustomEvent("regions-refreshed"));
  return true;
}

/** Calls `task` soon after the last request, never twice at once, never dropping a request. */
export function coalesce(task, waitMs = 250) {
  let timer = null;
  let running = false;
  let again = false;
  const run = async () => {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await task();
    } catch {
      // the next request will try again; a live view must not die of one failed fetch
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = () => {
    if (timer === null) timer = setTimeout(run, waitMs);
  };
  return schedule;
}

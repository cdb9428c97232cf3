// The build.* event stream of the whole server, shared by the pages that update live.

import { followEvents } from "./sse.js";
import { coalesce, refreshRegions } from "./refresh.js";

/** Refreshes the page's live regions whenever a build.* event passes `wanted`. */
export function refreshOnEvents(wanted = () => true, signal = undefined) {
  const refresh = coalesce(() => refreshRegions());
  followEvents("/api/v1/events", {
    signal,
    onEvent(event) {
      if (!event.type.startsWith("build.")) return;
      let message = {};
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (wanted(message)) refresh();
    },
    // After a gap (server restart, network) we may have missed events: catch up at once.
    onState(state) {
      if (state === "open") refresh();
    },
  });
  return refresh;
}

import { refreshOnEvents } from "./live.js";

export function start() {
  refreshOnEvents();
}

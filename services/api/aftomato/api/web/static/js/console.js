// The build console: numbered lines in order, each once, ANSI colours kept across lines.

import { PLAIN, parseAnsi, renderSegments } from "./ansi.js";

export class LogConsole {
  constructor(element, follow) {
    this.element = element;
    this.follow = follow;
    this.lastLine = 0;
    this.state = PLAIN;
    // Scrolling up to read stops following; scrolling back to the end follows again.
    element.addEventListener("scroll", () => {
      if (this.follow) this.follow.checked = this.atEnd();
    });
    this.follow?.addEventListener("change", () => {
      if (this.follow.checked) this.scrollToEnd();
    });
  }

  atEnd() {
    const { scrollTop, scrollHeight, clientHeight } = this.element;
    return scrollHeight - scrollTop - clientHeight < 24;
  }

  scrollToEnd() {
    this.element.scrollTop = this.element.scrollHeight;
  }

  /** Adds line `n` unless it is already shown (a resumed stream may repeat lines). */
  append({ n, text }) {
    if (!Number.isInteger(n) || n <= this.lastLine) return false;
    const { segments, state } = parseAnsi(String(text), this.state);
    this.state = state;
    const line = this.element.ownerDocument.createElement("span");
    line.className = "line";
    line.dataset.n = String(n);
    line.append(renderSegments(segments, this.element.ownerDocument), "\n");
    this.element.append(line);
    this.lastLine = n;
    if (this.follow?.checked) this.scrollToEnd();
    return true;
  }
}

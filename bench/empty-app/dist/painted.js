// Report the first paint the way Speasy's UI does: once, after the first animation frame, with
// the page's milestones on the wall clock (as Speasy's `uiPainted` sends them).
const scriptRunning = performance.now();
requestAnimationFrame(() => {
  const frame = performance.now();
  const origin = performance.timeOrigin;
  const marks = [["navigation start", origin]];
  const nav = performance.getEntriesByType("navigation")[0];
  if (nav) {
    marks.push(["page received", origin + nav.responseEnd], ["DOM content loaded", origin + nav.domContentLoadedEventStart]);
  }
  marks.push(["script running", origin + scriptRunning], ["frame", origin + frame]);
  window.__TAURI__.core.invoke("ui_painted", { marks }).catch((e) => console.error("ui_painted", e));
});

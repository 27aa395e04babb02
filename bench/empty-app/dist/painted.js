// Report the first paint the way Speasy's UI does: once, after the first animation frame.
requestAnimationFrame(() => {
  window.__TAURI__.core.invoke("ui_painted").catch((e) => console.error("ui_painted", e));
});

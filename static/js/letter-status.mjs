// Progressive enhancement for the PDF letter panel: poll the job's JSON status while it renders,
// then reload the page to show the download (or the failure and the retry button).
// Without JavaScript the panel has a plain refresh link.
const panel = document.getElementById("letter-status");

if (panel && ["queued", "rendering"].includes(panel.dataset.status)) {
  const url = panel.dataset.statusUrl;
  const message = panel.querySelector("[data-letter-message]");
  let delay = 1000;

  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const data = await response.json();
        if (data.status === "done" || data.status === "failed" || data.stale) {
          window.location.reload();
          return;
        }
        if (message && data.status_label) message.dataset.status = data.status;
      }
    } catch {
      // A network blip: keep polling, more slowly.
    }
    delay = Math.min(delay * 1.5, 10000);
    window.setTimeout(poll, delay);
  };
  window.setTimeout(poll, delay);
}

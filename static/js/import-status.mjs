// Polls an import's JSON status while a Celery task works on it; without JS the page has a refresh link.
const box = document.querySelector("[data-import-status]");

async function poll() {
  const response = await fetch(box.dataset.importStatus, { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const job = await response.json();
  document.getElementById("job-status").textContent = job.status_label;
  document.getElementById("job-progress").textContent = `${job.processed} / ${job.row_count}`;
  if (job.running) {
    window.setTimeout(poll, 2000);
  } else {
    window.location.assign(job.url);
  }
}

if (box) window.setTimeout(poll, 2000);

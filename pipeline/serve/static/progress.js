// The 生成 page's progress bar: asks the server how far the build is, once a second, and shows
// the finished page when it is done. (The page works without it: it then reloads itself.)
(function () {
  var box = document.getElementById("job");
  if (!box) return;
  var bar = document.getElementById("bar"), phase = document.getElementById("phase"),
      counter = document.getElementById("counter");
  function poll() {
    fetch(box.dataset.progress, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (p) {
      if (p.state !== "queued" && p.state !== "running") { location.reload(); return; }
      if (p.phase) phase.textContent = p.phase;
      if (p.total) { bar.max = p.total; bar.value = p.done; counter.textContent = p.done + " / " + p.total; }
      setTimeout(poll, 1000);
    }).catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();

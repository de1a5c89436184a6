// The big screen's live view: the server renders the fragment, this swaps it in four times a
// second (a check-in or 公布 shows within a second, with the fragment's own time to spare).
(function () {
  var live = document.getElementById('live');
  if (!live) return;
  var last = '';
  function poll() {
    fetch(live.dataset.src, { cache: 'no-store', credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null && html !== last) { live.innerHTML = html; last = html; }
      })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 250); });
  }
  setTimeout(poll, 250);
})();

// The big screen's live view: the server renders the fragment, this swaps it in twice a second.
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
      .finally(function () { setTimeout(poll, 500); });
  }
  setTimeout(poll, 500);
})();

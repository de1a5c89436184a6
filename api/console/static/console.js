// A one-time sign-in link carries its code in the fragment (never sent to the server):
// put it in the sign-in form, and take it off the address bar.
(function () {
  var m = /[#&]link=([A-Za-z0-9_-]+)/.exec(location.hash);
  var field = document.getElementById('link');
  if (!m || !field) return;
  field.value = m[1];
  document.getElementById('link-note').hidden = false;
  history.replaceState(null, '', location.pathname + location.search);
})();
// Notice-board countdowns tick each second; without script the server's value stands.
(function () {
  var items = document.querySelectorAll('.countdown[data-ends]');
  if (!items.length) return;
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function tick() {
    var now = Date.now();
    items.forEach(function (el) {
      if (el.dataset.paused === 'yes') return;  // paused time does not count
      var left = Math.max(0, Math.floor((Date.parse(el.dataset.ends) - now) / 1000));
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600);
      var m = Math.floor(left % 3600 / 60), s = left % 60;
      el.textContent = (d ? d + ' 天 ' : '') + pad(h) + ':' + pad(m) + ':' + pad(s);
    });
  }
  tick();
  setInterval(tick, 1000);
})();

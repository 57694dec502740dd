// Small behaviours the pages share, wired by data attributes: the content security policy
// allows no inline event handlers, so no template carries JavaScript of its own.
//   data-autosubmit     a <select> that submits its form when changed
//   data-confirm="…"    a button that asks before it submits (destructive actions)
//   data-print          a button that prints the page
//   data-switch="cls"   a <select> that shows the .cls element whose data-kind is its value
(function () {
  document.addEventListener("change", (e) => {
    const el = e.target;
    if (el.matches("[data-autosubmit]") && el.form) el.form.submit();
    if (el.matches("[data-switch]")) {
      document.querySelectorAll("." + el.dataset.switch).forEach((s) => {
        s.hidden = s.dataset.kind !== el.value;
        s.disabled = s.hidden;
      });
    }
  });
  document.addEventListener("click", (e) => {
    const el = e.target.closest("[data-confirm], [data-print]");
    if (!el) return;
    if (el.hasAttribute("data-print")) window.print();
    else if (!window.confirm(el.dataset.confirm)) e.preventDefault();
  });
})();

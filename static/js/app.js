// Progressive enhancement only: every page works without JavaScript.
document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});
document.querySelectorAll(".js-hide").forEach(function (el) { el.classList.add("d-none"); });
document.querySelectorAll("[data-confirm]").forEach(function (el) {
  el.addEventListener("submit", function (event) {
    if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
});
